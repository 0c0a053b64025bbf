/*
 * The JSON payloads published on the device state topics (CONTRACT section 4): the fields the
 * catalog rows declare (src/catalog), plus `last_seen`. Every field is always present; null when
 * unknown.
 */
import type { GuestValues, NodeValues, StorageValues } from "../catalog/index.js";

/** ISO time the device was last present in a complete /cluster/resources answer. */
interface Seen {
  last_seen: string;
}

export type NodeState = NodeValues & Seen;
export type GuestState = GuestValues & Seen;
export type StorageState = StorageValues & Seen;
export type { CommandResult } from "./command-result.js";
