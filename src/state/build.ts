/*
 * A device's state JSON is a loop over its catalog rows: each value row's field, from its getter.
 * Every state also carries `last_seen` (the time of the last complete poll that had the device),
 * last, and not part of what counts as a change.
 */
import { CATALOG, isValueRow, type DeviceKind, type KindSources, type Row } from "../catalog/index.js";
import { isoTime } from "./format.js";
import type { GuestState, NodeState, StorageState } from "./types.js";

export type StateKind = Exclude<DeviceKind, "bridge">;
export type StateValues = Record<string, unknown>;

/** The state of one device without `last_seen`. */
export function stateValues<K extends StateKind>(kind: K, source: KindSources[K]): StateValues {
  const values: StateValues = {};
  const rows: readonly Row<KindSources[K]>[] = CATALOG[kind];
  for (const row of rows) if (isValueRow(row)) values[row.field] = row.get(source);
  return values;
}

export function withLastSeen<S extends StateValues>(values: S, now: number): S & { last_seen: string } {
  return { ...values, last_seen: isoTime(now) };
}

/**
 * The published state from the JSON of its values (already made for change detection): the same
 * object with `last_seen` (lastSeenJson, the same for every device of a poll) added as its last
 * field, without serializing the values a second time.
 */
export function stateJsonWithLastSeen(valuesJson: string, lastSeenJson: string): string {
  return `${valuesJson.slice(0, -1)},"last_seen":${lastSeenJson}}`;
}

/** The JSON of a `last_seen` value. */
export function lastSeenJson(now: number): string {
  return JSON.stringify(isoTime(now));
}

export function nodeState(source: KindSources["node"]): NodeState {
  return withLastSeen(stateValues("node", source), source.now) as unknown as NodeState;
}

export function guestState(source: KindSources["guest"]): GuestState {
  return withLastSeen(stateValues("guest", source), source.now) as unknown as GuestState;
}

export function storageState(source: KindSources["storage"], now: number): StorageState {
  return withLastSeen(stateValues("storage", source), now) as unknown as StorageState;
}
