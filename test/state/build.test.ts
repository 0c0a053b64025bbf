import { describe, expect, it } from "vitest";
import * as build from "../../src/state/build.js";
import { guestCounts } from "../../src/state/sources.js";
import { NO_TASKS } from "../../src/inventory/task-feed.js";
import type { GuestDetails, GuestInfo, GuestRates, Inventory, NodeInfo, StorageInfo } from "../../src/inventory/types.js";
import type { CommandResult, GuestState, NodeState } from "../../src/state/types.js";
import { CATALOG, isValueRow, type Row } from "../../src/catalog/index.js";

/** The states as the bridge builds them, from an inventory and what it knew before. */
function nodeState(info: NodeInfo, inv: Inventory, previous: NodeState | undefined, now: number): NodeState {
  const count = guestCounts(inv).get(info.name);
  return build.nodeState({ node: info, guestsRunning: count?.running ?? 0, guestsTotal: count?.total ?? 0, tasks: undefined, tasksKnown: false, health: undefined, previous, now });
}
function guestState(
  info: GuestInfo,
  extra: { details?: GuestDetails; rates?: GuestRates; lastAction?: CommandResult | null; previous?: GuestState; now: number },
): GuestState {
  return build.guestState({ guest: info, details: extra.details, rates: extra.rates, lastAction: extra.lastAction ?? null, tasks: NO_TASKS, previous: extra.previous, now: extra.now });
}
function storageState(info: StorageInfo, _previous: undefined, now: number) {
  return build.storageState({ storage: info }, now);
}

const NOW = Date.parse("2024-08-01T12:00:00Z");

const node: NodeInfo = {
  name: "pve1", status: "online", cpu: 0.12345, cpus: 16, cpuModel: "AMD EPYC", load: [0.58, 0.47, 0.41],
  memUsed: 17179869184, memTotal: 68719476736, swapUsed: 0, swapTotal: 0, rootfsUsed: 1, rootfsTotal: 3,
  uptime: 3600, kernel: "6.8.8-4-pve", pveVersion: "8.2.4", ioDelay: 0.0123, ip: "192.0.2.11",
};

function guest(overrides: Partial<GuestInfo> = {}): GuestInfo {
  return {
    kind: "qemu", vmid: 100, name: "web", node: "pve1", status: "running", cpu: 0.0523, cpus: 4,
    memUsed: 1073741824, memTotal: 4294967296, diskUsed: null, diskTotal: 34359738368,
    counters: { netin: 1, netout: 2, diskread: 3, diskwrite: 4 }, uptime: 120, haState: "started", lock: null, tags: ["prod"],
    ...overrides,
  };
}

function inventory(guests: GuestInfo[]): Inventory {
  return { takenAt: NOW, cluster: { name: "c", quorate: true, pveVersion: "8.2.4" }, nodes: [node], guests, storages: [] };
}

const details = {
  ipv4: ["192.0.2.100", "10.0.0.5"], ipv6: ["2001:db8::5"], snapshots: 2, lastSnapshot: "before-upgrade",
  lastSnapshotTime: Date.parse("2024-07-30T08:00:00Z"), lastBackup: Date.parse("2024-07-31T02:30:00Z"), os: "Debian GNU/Linux 12 (bookworm)",
};
const rates = { diskRead: 100, diskWrite: 200, netIn: 300, netOut: 400 };

describe("nodeState", () => {
  it("has every field, cpu and memory as percentages with one decimal, counts guests", () => {
    const state = nodeState(node, inventory([guest(), guest({ vmid: 101, status: "stopped" }), guest({ vmid: 102, node: "pve2" })]), undefined, NOW);
    expect(state).toEqual({
      status: "online", cpu: 12.3, cpus: 16, cpu_model: "AMD EPYC", load_1: 0.58, load_5: 0.47, load_15: 0.41,
      memory_used: 17179869184, memory_total: 68719476736, memory_percent: 25, swap_used: 0, swap_total: 0,
      rootfs_used: 1, rootfs_total: 3, rootfs_percent: 33.3, io_delay: 1.2, uptime: 3600, boot_time: "2024-08-01T11:00:00Z",
      kernel: "6.8.8-4-pve", pve_version: "8.2.4", guests_running: 1, guests_total: 2, updates: null, update_version: null,
      update_summary: null, tasks_running: null, tasks_failed: null, last_seen: "2024-08-01T12:00:00Z",
    });
  });

  it("nulls the metrics of an offline node", () => {
    const state = nodeState({ ...node, status: "offline" }, inventory([]), undefined, NOW);
    expect(state).toMatchObject({ status: "offline", cpu: null, load_1: null, memory_used: null, memory_percent: null, uptime: null, boot_time: null, rootfs_percent: null });
  });

  it("keeps boot_time stable between polls despite jitter, and moves it after a reboot", () => {
    const first = nodeState(node, inventory([]), undefined, NOW);
    const jittered = nodeState({ ...node, uptime: 3600 + 30 - 2 }, inventory([]), first, NOW + 30_000);
    expect(jittered.boot_time).toBe(first.boot_time);
    const rebooted = nodeState({ ...node, uptime: 60 }, inventory([]), jittered, NOW + 60_000);
    expect(rebooted.boot_time).toBe("2024-08-01T12:00:00Z");
  });
});

describe("guestState", () => {
  it("has every field for a running guest", () => {
    expect(guestState(guest(), { details, rates, now: NOW })).toEqual({
      vmid: 100, name: "web", node: "pve1", type: "qemu", status: "running", running: true, cpu: 5.2, cpus: 4,
      memory_used: 1073741824, memory_total: 4294967296, memory_percent: 25, disk_used: null, disk_total: 34359738368,
      disk_read_rate: 100, disk_write_rate: 200, net_in_rate: 300, net_out_rate: 400, uptime: 120,
      boot_time: "2024-08-01T11:58:00Z", ha_state: "started", lock: null, tags: ["prod"], ip: "192.0.2.100",
      ipv4: ["192.0.2.100", "10.0.0.5"], ipv6: ["2001:db8::5"], snapshots: 2, last_snapshot: "before-upgrade",
      os: "Debian GNU/Linux 12 (bookworm)", last_snapshot_time: "2024-07-30T08:00:00Z", last_backup: "2024-07-31T02:30:00Z", last_action: null,
      last_backup_status: null, last_backup_error: null, backup_running: false, backup_progress: null,
      last_seen: "2024-08-01T12:00:00Z",
    });
  });

  it("gives a stopped guest cpu 0, rates 0, empty IP lists and no boot time", () => {
    const state = guestState(guest({ status: "stopped", cpu: 0.5, uptime: 0 }), { details, rates, now: NOW });
    expect(state).toMatchObject({ running: false, cpu: 0, disk_read_rate: 0, net_out_rate: 0, ip: null, ipv4: [], ipv6: [], boot_time: null, uptime: 0 });
    expect(state.snapshots).toBe(2);
  });

  it("treats a hibernated guest as not running", () => {
    expect(guestState(guest({ status: "hibernated", lock: "suspended" }), { now: NOW })).toMatchObject({ running: false, cpu: 0, net_in_rate: 0, lock: "suspended" });
  });

  it("is null where nothing is known: first poll rates, unknown guest", () => {
    const first = guestState(guest(), { now: NOW });
    expect(first).toMatchObject({ disk_read_rate: null, net_in_rate: null, ip: null, ipv4: [], snapshots: null, last_backup: null });
    const unknown = guestState(guest({ status: "unknown", name: null, cpu: null, memUsed: null, memTotal: null, uptime: null, counters: null }), { now: NOW });
    expect(unknown).toMatchObject({ running: false, cpu: null, memory_percent: null, uptime: null, boot_time: null, name: "VM 100" });
  });

  it("keeps a paused guest's boot time", () => {
    expect(guestState(guest({ status: "paused" }), { now: NOW })).toMatchObject({ running: false, boot_time: "2024-08-01T11:58:00Z" });
  });

  it("falls back to the previous name, then VM/CT <vmid>", () => {
    const previous = guestState(guest(), { now: NOW });
    expect(guestState(guest({ name: null }), { previous, now: NOW }).name).toBe("web");
    expect(guestState(guest({ name: null }), { now: NOW }).name).toBe("VM 100");
    expect(guestState(guest({ name: null, kind: "lxc", vmid: 105 }), { now: NOW }).name).toBe("CT 105");
  });

  it("reports lxc disk usage and never qemu's", () => {
    expect(guestState(guest({ kind: "lxc", diskUsed: 5 }), { now: NOW }).disk_used).toBe(5);
    expect(guestState(guest({ diskUsed: 5 }), { now: NOW }).disk_used).toBeNull();
  });

  it("shows the last action it is given and keeps boot_time from the previous state", () => {
    const action = { id: "a1", action: "start", status: "ok" as const, upid: null, exitstatus: "OK", error: null, duration: 3 };
    const previous = guestState(guest(), { lastAction: action, now: NOW });
    const next = guestState(guest({ uptime: 120 + 30 + 1 }), { previous, lastAction: action, now: NOW + 30_000 });
    expect(next.last_action).toEqual(action);
    expect(next.boot_time).toBe(previous.boot_time);
    expect(guestState(guest(), { previous, lastAction: null, now: NOW }).last_action).toBeNull();
  });

  it("gives sizes in whole bytes even when PVE sends a fraction", () => {
    const state = guestState(guest({ memUsed: 1073741824.4, diskTotal: 1429365116108.8 }), { now: NOW });
    expect(state.memory_used).toBe(1073741824);
    expect(state.disk_total).toBe(1429365116109);
    expect(Number.isInteger(state.disk_total)).toBe(true);
  });

  it("produces JSON numbers, never strings", () => {
    const state = guestState(guest(), { details, rates, now: NOW });
    for (const key of ["cpu", "memory_percent", "disk_read_rate", "uptime"] as const) expect(typeof state[key]).toBe("number");
  });
});

describe("storageState", () => {
  const storage: StorageInfo = {
    node: "pve1", storage: "nas", type: "nfs", status: "available", active: true, shared: true,
    content: ["backup", "images"], used: 250, total: 1000, available: 750,
  };
  it("has every field and the used percentage", () => {
    expect(storageState(storage, undefined, NOW)).toEqual({
      node: "pve1", storage: "nas", type: "nfs", status: "available", active: true, shared: true,
      content: ["backup", "images"], used: 250, total: 1000, available: 750, used_percent: 25, last_seen: "2024-08-01T12:00:00Z",
    });
  });
  it("rounds fractional sizes to whole bytes", () => {
    expect(storageState({ ...storage, used: 1429365116108.8, total: 2e12, available: 570634883891.2 }, undefined, NOW)).toMatchObject({ used: 1429365116109, available: 570634883891 });
  });
  it("is null where the sizes are unknown", () => {
    expect(storageState({ ...storage, status: "unavailable", active: false, used: null, total: null, available: null }, undefined, NOW).used_percent).toBeNull();
    expect(storageState({ ...storage, used: 0, total: 0 }, undefined, NOW).used_percent).toBeNull();
  });
});

describe("the catalog and the states agree", () => {
  const inv: Inventory = { takenAt: NOW, cluster: { name: "c", quorate: true, pveVersion: "8.2.4" }, nodes: [node], guests: [guest()], storages: [] };
  const states = {
    node: nodeState(node, inv, undefined, NOW),
    guest: guestState(guest(), { details, rates, now: NOW }),
    storage: storageState({ node: "pve1", storage: "nas", type: "nfs", status: "available", active: true, shared: true, content: [], used: 1, total: 2, available: 1 }, undefined, NOW),
  };
  for (const kind of ["node", "guest", "storage"] as const) {
    it(`every ${kind} state field is a catalog row (and last_seen)`, () => {
      const fields = (CATALOG[kind] as readonly { field?: string }[]).filter((row) => row.field !== undefined).map((row) => row.field);
      expect(Object.keys(states[kind]).sort()).toEqual([...fields, "last_seen"].sort());
      expect((CATALOG[kind] as readonly Row<never>[]).filter(isValueRow).length).toBe(fields.length);
    });
  }
});
