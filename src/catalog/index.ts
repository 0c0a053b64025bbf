/*
 * The one table: every device kind's rows (see row.ts). Discovery, the state builder, /metrics,
 * the panel's columns and docs/entities.md read it from here.
 */
import { BRIDGE_CONTROLS, BRIDGE_VALUES } from "./bridge.js";
import { GUEST_CONTROLS, GUEST_METERS, GUEST_VALUES } from "./guest.js";
import { NODE_CONTROLS, NODE_VALUES } from "./node.js";
import type { Row } from "./row.js";
import type { ClusterSource, DiskSource, GuestSource, NodeSource, StorageSource, ZfsSource } from "./sources.js";
import { STORAGE_CONTROLS, STORAGE_VALUES } from "./storage.js";
import { CLUSTER_VALUES } from "./cluster.js";
import { DISK_VALUES } from "./disk.js";
import { ZFS_VALUES } from "./zfs.js";
import { EVENT_ROW } from "./event.js";
import type { BridgeInfo } from "../publish/info.js";

export type DeviceKind = "node" | "guest" | "storage" | "cluster" | "disk" | "zfs" | "bridge";

export interface KindSources {
  node: NodeSource;
  guest: GuestSource;
  storage: StorageSource;
  cluster: ClusterSource;
  disk: DiskSource;
  zfs: ZfsSource;
  bridge: BridgeInfo;
}

/** Every row of each kind: state values first (in state JSON order), then controls and meters. */
export const CATALOG: { [K in DeviceKind]: readonly Row<KindSources[K]>[] } = {
  node: [...NODE_VALUES, ...NODE_CONTROLS],
  guest: [...GUEST_VALUES, ...GUEST_CONTROLS, ...GUEST_METERS],
  storage: [...STORAGE_VALUES, ...STORAGE_CONTROLS],
  cluster: [...CLUSTER_VALUES, EVENT_ROW],
  disk: [...DISK_VALUES],
  zfs: [...ZFS_VALUES],
  bridge: [...BRIDGE_CONTROLS.slice(0, 1), ...BRIDGE_VALUES, ...BRIDGE_CONTROLS.slice(1)],
};

/** The translation key of a row's entity: `<device kind>.<key>`. */
export function translationKey(kind: DeviceKind, key: string): string {
  return `${kind}.${key}`;
}

export { entityKey, hasEntity, hasMetric, isValueRow, type ControlRow, type MeasuredRow, type EntitySpec, type MeterRow, type PanelFormat, type Row, type ValueRow } from "./row.js";
export type { NodeValues } from "./node.js";
export type { GuestValues } from "./guest.js";
export type { StorageValues } from "./storage.js";
export type { ClusterValues } from "./cluster.js";
export type { DiskValues } from "./disk.js";
export type { ZfsValues } from "./zfs.js";
export type { ClusterSource, DiskSource, GuestSource, NodeSource, StorageSource, ZfsSource } from "./sources.js";
