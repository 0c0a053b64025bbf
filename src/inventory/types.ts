import type { GuestKind } from "../pve/types.js";

/*
 * One immutable snapshot of the cluster, built from one poll. Values PVE did not report are null.
 * Sizes are bytes, cpu is a fraction 0..1 as PVE gives it, times are epoch milliseconds.
 * A poll may hand on last poll's object for a guest or storage whose values did not change: every
 * record here is a value, never changed once built.
 */

export type NodeStatusValue = "online" | "offline" | "unknown";

/** The closed list of guest statuses (CONTRACT section 4). */
export const GUEST_STATUSES = [
  "running",
  "paused",
  "suspended",
  "hibernated",
  "prelaunch",
  "io-error",
  "migrating",
  "stopped",
  "unknown",
] as const;
export type GuestStatusValue = (typeof GUEST_STATUSES)[number];

export interface NodeInfo {
  name: string;
  status: NodeStatusValue;
  cpu: number | null;
  cpus: number | null;
  cpuModel: string | null;
  load: [number, number, number] | null;
  memUsed: number | null;
  memTotal: number | null;
  swapUsed: number | null;
  swapTotal: number | null;
  rootfsUsed: number | null;
  rootfsTotal: number | null;
  uptime: number | null;
  kernel: string | null;
  /** "8.2.4", from the node's own `pveversion`. */
  pveVersion: string | null;
  /** Fraction 0..1 of CPU time spent waiting for I/O (the status' `wait`). */
  ioDelay: number | null;
  /** The node's address from /cluster/status, if known. */
  ip: string | null;
}

/** Cumulative I/O counters as PVE reports them (bytes since the guest started). */
export interface IoCounters {
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

export interface GuestInfo {
  kind: GuestKind;
  vmid: number;
  /** The name PVE reports now; null when it sent none (offline node). */
  name: string | null;
  node: string;
  status: GuestStatusValue;
  cpu: number | null;
  cpus: number | null;
  memUsed: number | null;
  memTotal: number | null;
  /** lxc only; always null for qemu (PVE does not know a VM's disk usage). */
  diskUsed: number | null;
  diskTotal: number | null;
  counters: IoCounters | null;
  uptime: number | null;
  haState: string | null;
  lock: string | null;
  tags: readonly string[];
}

export interface StorageInfo {
  node: string;
  storage: string;
  type: string | null;
  status: "available" | "unavailable" | "unknown";
  active: boolean | null;
  shared: boolean;
  content: string[];
  used: number | null;
  total: number | null;
  available: number | null;
}

export interface ClusterInfo {
  /** From /cluster/status (or config override, or the standalone node's name). */
  name: string;
  quorate: boolean | null;
  /** Version of the host that answered /version. */
  pveVersion: string | null;
}

export interface Inventory {
  takenAt: number;
  cluster: ClusterInfo;
  nodes: NodeInfo[];
  guests: GuestInfo[];
  storages: StorageInfo[];
}

/** Slow details of a guest, refreshed on their own cadence (IPs, snapshots, backups). */
export interface GuestDetails {
  ipv4: string[];
  ipv6: string[];
  snapshots: number | null;
  lastSnapshot: string | null;
  /** epoch ms */
  lastSnapshotTime: number | null;
  /** epoch ms of the newest backup seen, or null */
  lastBackup: number | null;
  /** The guest agent's `pretty-name`, else the name of the config's `ostype`; null when unknown. */
  os: string | null;
}

/** Byte rates derived from the last two distinct counter readings; null until two exist. */
export interface GuestRates {
  diskRead: number | null;
  diskWrite: number | null;
  netIn: number | null;
  netOut: number | null;
}

/** `qemu/100`, `lxc/101`, `node/pve1`, `storage/pve1/local`: the identity of a device. */
export type DeviceKey = string;

export function guestKey(kind: GuestKind, vmid: number): DeviceKey {
  return `${kind}/${vmid}`;
}
/** A guest of which nothing but its identity is known (every metric null). */
export function unknownGuest(kind: GuestKind, vmid: number, name: string | null, node: string): GuestInfo {
  return {
    kind,
    vmid,
    name,
    node,
    status: "unknown",
    cpu: null,
    cpus: null,
    memUsed: null,
    memTotal: null,
    diskUsed: null,
    diskTotal: null,
    counters: null,
    uptime: null,
    haState: null,
    lock: null,
    tags: [],
  };
}
/** A node of which nothing but its name is known (every metric null). */
export function emptyNode(name: string): NodeInfo {
  return {
    name,
    status: "unknown",
    cpu: null,
    cpus: null,
    cpuModel: null,
    load: null,
    memUsed: null,
    memTotal: null,
    swapUsed: null,
    swapTotal: null,
    rootfsUsed: null,
    rootfsTotal: null,
    uptime: null,
    kernel: null,
    pveVersion: null,
    ioDelay: null,
    ip: null,
  };
}
export function nodeKey(node: string): DeviceKey {
  return `node/${node}`;
}
export function clusterKey(): DeviceKey {
  return "cluster";
}
/** `disk/pve1/nvme0n1`: a disk by its device name without /dev/. */
export function diskKey(node: string, name: string): DeviceKey {
  return `disk/${node}/${name}`;
}
export function zfsKey(node: string, pool: string): DeviceKey {
  return `zfs/${node}/${pool}`;
}
export function storageKey(node: string, storage: string): DeviceKey {
  return `storage/${node}/${storage}`;
}

/** Slug for topics and ids: lowercase, every character outside [a-z0-9_] becomes `_`. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}
