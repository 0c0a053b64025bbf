/*
 * The JSON payloads published on the device state topics (CONTRACT section 4). Every field is
 * always present; null when unknown. Sizes bytes, rates bytes/s, durations seconds, percentages
 * 0–100 with at most one decimal, times ISO-8601 UTC.
 */
import type { GuestStatusValue, NodeStatusValue, StorageInfo } from "../inventory/types.js";

export interface NodeState {
  status: NodeStatusValue;
  cpu: number | null;
  cpus: number | null;
  cpu_model: string | null;
  load_1: number | null;
  load_5: number | null;
  load_15: number | null;
  memory_used: number | null;
  memory_total: number | null;
  memory_percent: number | null;
  swap_used: number | null;
  swap_total: number | null;
  rootfs_used: number | null;
  rootfs_total: number | null;
  rootfs_percent: number | null;
  uptime: number | null;
  boot_time: string | null;
  kernel: string | null;
  pve_version: string | null;
  guests_running: number;
  guests_total: number;
  /** ISO time the node was last present in a complete /cluster/resources answer. */
  last_seen: string;
}

/** The result object of a command (CONTRACT section 6), also kept as `last_action`. */
export interface CommandResult {
  id: string | number | null;
  action: string | null;
  status: "started" | "ok" | "error";
  upid?: string | null;
  exitstatus?: string | null;
  error?: string | null;
  duration?: number | null;
  /** ISO time the result was produced. */
  time?: string;
}

export interface GuestState {
  vmid: number;
  name: string;
  node: string;
  type: "qemu" | "lxc";
  status: GuestStatusValue;
  running: boolean;
  cpu: number | null;
  cpus: number | null;
  memory_used: number | null;
  memory_total: number | null;
  memory_percent: number | null;
  disk_used: number | null;
  disk_total: number | null;
  disk_read_rate: number | null;
  disk_write_rate: number | null;
  net_in_rate: number | null;
  net_out_rate: number | null;
  uptime: number | null;
  boot_time: string | null;
  ha_state: string | null;
  lock: string | null;
  tags: readonly string[];
  ip: string | null;
  ipv4: readonly string[];
  ipv6: readonly string[];
  snapshots: number | null;
  last_snapshot: string | null;
  last_snapshot_time: string | null;
  last_backup: string | null;
  last_action: CommandResult | null;
  /** ISO time the device was last present in a complete /cluster/resources answer. */
  last_seen: string;
}

/** The storage's state is its inventory record as is, plus two derived fields. */
export interface StorageState extends StorageInfo {
  used_percent: number | null;
  last_seen: string;
}
