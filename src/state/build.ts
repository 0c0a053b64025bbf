import type { GuestDetails, GuestInfo, GuestRates, Inventory, NodeInfo, StorageInfo } from "../inventory/types.js";
import { isoTime, percent, round1, stableBootTime } from "./format.js";
import type { CommandResult, GuestState, NodeState, StorageState } from "./types.js";

/** The `B/node/<node>` payload. A node that is not online has every metric null. */
/** What a node's next state needs from its previous one. */
export type NodeCarry = Pick<NodeState, "boot_time">;
/** What a guest's next state needs from its previous one: the last known name, the stable boot time, the last action. */
export type GuestCarry = Pick<GuestState, "name" | "boot_time" | "last_action">;

export function nodeState(node: NodeInfo, inventory: Inventory, previous: NodeCarry | undefined, now: number): NodeState {
  const online = node.status === "online";
  const metric = <T>(value: T | null): T | null => (online ? value : null);
  let guestsTotal = 0;
  let guestsRunning = 0;
  for (const guest of inventory.guests) {
    if (guest.node !== node.name) continue;
    guestsTotal++;
    if (guest.status === "running") guestsRunning++;
  }
  const uptime = metric(node.uptime);
  return {
    status: node.status,
    cpu: metric(node.cpu === null ? null : round1(node.cpu * 100)),
    cpus: node.cpus,
    cpu_model: node.cpuModel,
    load_1: metric(node.load?.[0] ?? null),
    load_5: metric(node.load?.[1] ?? null),
    load_15: metric(node.load?.[2] ?? null),
    memory_used: metric(node.memUsed),
    memory_total: node.memTotal,
    memory_percent: metric(percent(node.memUsed, node.memTotal)),
    swap_used: metric(node.swapUsed),
    swap_total: node.swapTotal,
    rootfs_used: metric(node.rootfsUsed),
    rootfs_total: node.rootfsTotal,
    rootfs_percent: metric(percent(node.rootfsUsed, node.rootfsTotal)),
    uptime,
    boot_time: stableBootTime(uptime, now, previous?.boot_time),
    kernel: node.kernel,
    pve_version: node.pveVersion,
    guests_running: guestsRunning,
    guests_total: guestsTotal,
    last_seen: isoTime(now),
  };
}

export interface GuestStateExtra {
  details?: GuestDetails;
  rates?: GuestRates;
  /** The latest command result; undefined keeps the previous state's. */
  lastAction?: CommandResult | null;
  previous?: GuestCarry;
  now: number;
}

/** States share the inventory's arrays (serialized, never mutated) rather than copying them each cycle. */
const NONE: readonly string[] = Object.freeze([]);

const NOT_RUNNING = new Set<GuestInfo["status"]>(["stopped", "hibernated"]);

/** The `B/qemu/<vmid>` / `B/lxc/<vmid>` payload. */
export function guestState(guest: GuestInfo, extra: GuestStateExtra): GuestState {
  const { details, rates, previous, now } = extra;
  const down = NOT_RUNNING.has(guest.status);
  const known = guest.status !== "unknown";
  const rate = (value: number | null | undefined): number | null => (down ? 0 : (value ?? null));
  const ipv4 = down ? NONE : (details?.ipv4 ?? NONE);
  const ipv6 = down ? NONE : (details?.ipv6 ?? NONE);
  const uptime = down ? 0 : guest.uptime;
  return {
    vmid: guest.vmid,
    name: guest.name ?? previous?.name ?? `${guest.kind === "qemu" ? "VM" : "CT"} ${guest.vmid}`,
    node: guest.node,
    type: guest.kind,
    status: guest.status,
    running: guest.status === "running",
    cpu: down ? 0 : guest.cpu === null ? null : round1(guest.cpu * 100),
    cpus: guest.cpus,
    memory_used: guest.memUsed,
    memory_total: guest.memTotal,
    memory_percent: percent(guest.memUsed, guest.memTotal),
    disk_used: guest.kind === "qemu" ? null : guest.diskUsed,
    disk_total: guest.diskTotal,
    disk_read_rate: rate(rates?.diskRead),
    disk_write_rate: rate(rates?.diskWrite),
    net_in_rate: rate(rates?.netIn),
    net_out_rate: rate(rates?.netOut),
    uptime,
    boot_time: down || !known ? null : stableBootTime(uptime, now, previous?.boot_time),
    ha_state: guest.haState,
    lock: guest.lock,
    tags: guest.tags,
    ip: ipv4[0] ?? null,
    ipv4,
    ipv6,
    snapshots: details?.snapshots ?? null,
    last_snapshot: details?.lastSnapshot ?? null,
    last_snapshot_time: details ? detailTimes(details).lastSnapshotTime : null,
    last_backup: details ? detailTimes(details).lastBackup : null,
    last_action: extra.lastAction !== undefined ? extra.lastAction : (previous?.last_action ?? null),
    last_seen: isoTime(now),
  };
}

/** A details object lasts 10–30 cycles: its times are formatted once, not in every state built from it. */
const formattedTimes = new WeakMap<GuestDetails, { lastSnapshotTime: string | null; lastBackup: string | null }>();

function detailTimes(details: GuestDetails): { lastSnapshotTime: string | null; lastBackup: string | null } {
  let times = formattedTimes.get(details);
  if (!times) {
    times = {
      lastSnapshotTime: details.lastSnapshotTime == null ? null : isoTime(details.lastSnapshotTime),
      lastBackup: details.lastBackup == null ? null : isoTime(details.lastBackup),
    };
    formattedTimes.set(details, times);
  }
  return times;
}

/** The `B/storage/<node>/<storage>` payload. */
export function storageState(storage: StorageInfo, previous: StorageState | undefined, now: number): StorageState {
  void previous; // every field comes from this poll; kept in the signature for symmetry with the others
  return {
    node: storage.node,
    storage: storage.storage,
    type: storage.type,
    status: storage.status,
    active: storage.active,
    shared: storage.shared,
    content: storage.content,
    used: storage.used,
    total: storage.total,
    available: storage.available,
    used_percent: percent(storage.used, storage.total),
    last_seen: isoTime(now),
  };
}
