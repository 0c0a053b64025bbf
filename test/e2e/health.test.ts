import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.js";

// CONTRACT sections 4, 8 and 9, written out here so the test checks the contract, not the code.
const CLUSTER_FIELDS = [
  "name", "quorate", "nodes_online", "nodes_total", "guests_running", "guests_total", "cpu", "memory_used", "memory_total",
  "memory_percent", "storage_used", "storage_total", "tasks_running", "tasks_failed", "backups_running",
  "guests_without_recent_backup", "ha_status", "ha_armed", "ceph_health",
];
const DISK_FIELDS = ["node", "device", "model", "serial", "vendor", "type", "size", "health", "smart", "wearout", "temperature", "used"];
const ZFS_FIELDS = ["node", "pool", "health", "size", "used", "free", "used_percent", "fragmentation", "dedup"];
const NEW_NODE_FIELDS = ["io_delay", "updates", "update_version", "tasks_running", "tasks_failed"];
const NEW_GUEST_FIELDS = ["os", "last_backup_status", "last_backup_error", "backup_running", "backup_progress"];

describe("health data end to end: cluster, disks, ZFS pools, updates, tasks and backups", () => {
  let h: Harness;

  beforeAll(async () => {
    // tasks last 2.5 s: a backup job runs across several 1 s polls
    h = await startHarness({ sim: { taskDurationMs: 2500 }, config: { details: { disks: 600, updates: 1800 } } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("publishes the cluster device with every field, and its discovery with the notification event", async () => {
    const cluster = await h.observer.waitForJson(`${h.base}/cluster`);
    for (const field of CLUSTER_FIELDS) expect(cluster, `cluster lacks ${field}`).toHaveProperty(field);
    expect(cluster).toMatchObject({ quorate: true, nodes_online: 3, nodes_total: 3, ha_status: "OK", ceph_health: null });
    expect(cluster.guests_total).toBeGreaterThanOrEqual(8);
    expect(typeof cluster.cpu).toBe("number");
    expect(Number.isInteger(cluster.storage_used)).toBe(true);
    const event = JSON.parse(await h.observer.waitFor("homeassistant/event/pve2mqtt_homelab/cluster_notification/config")) as Record<string, unknown>;
    expect(event).toMatchObject({ state_topic: `${h.base}/bridge/event`, event_types: expect.arrayContaining(["vzdump", "other"]) });
    // no Ceph storage in the simulator: no Ceph entity
    expect(h.observer.topics("homeassistant/sensor/pve2mqtt_homelab/cluster_ceph_health")).toEqual([]);
  });

  it("gives nodes IO delay, pending updates (null where not allowed) and task counts", async () => {
    const pve1 = await h.observer.waitForJson(`${h.base}/node/pve1`, (state) => state.updates !== null);
    for (const field of NEW_NODE_FIELDS) expect(pve1, `node lacks ${field}`).toHaveProperty(field);
    expect(typeof pve1.io_delay).toBe("number");
    expect(pve1.updates).toBeGreaterThan(0);
    expect(pve1.update_version).not.toBe(pve1.pve_version);
    expect(pve1.tasks_running).toBeTypeOf("number");
    const pve2 = await h.observer.waitForJson(`${h.base}/node/pve2`);
    expect(pve2.update_version).toBe(pve2.pve_version);
    // pve3: the account lacks Sys.Modify there
    const pve3 = await h.observer.waitForJson(`${h.base}/node/pve3`);
    expect(pve3).toMatchObject({ updates: null, update_version: null });
    const update = JSON.parse(await h.observer.waitFor("homeassistant/update/pve2mqtt_homelab/node_pve1_update/config")) as Record<string, unknown>;
    expect(update).toMatchObject({ state_topic: `${h.base}/node/pve1` });
    expect(update).not.toHaveProperty("command_topic");
  });

  it("publishes a device per physical disk and ZFS pool, partitions excluded, with health and temperature", async () => {
    const nvme = await h.observer.waitForJson(`${h.base}/disk/pve1/nvme0n1`);
    for (const field of DISK_FIELDS) expect(nvme, `disk lacks ${field}`).toHaveProperty(field);
    expect(nvme).toMatchObject({ device: "/dev/nvme0n1", type: "nvme", health: "ok", wearout: 3, temperature: 41 });
    expect(await h.observer.waitFor(`${h.base}/disk/pve1/nvme0n1/availability`)).toBe("online");
    const failing = await h.observer.waitForJson(`${h.base}/disk/pve2/sdb`);
    expect(failing).toMatchObject({ health: "failing", wearout: null });
    expect(h.observer.topics(`${h.base}/disk/pve1/sda1`)).toEqual([]);
    const tank = await h.observer.waitForJson(`${h.base}/zfs/pve2/tank`);
    for (const field of ZFS_FIELDS) expect(tank, `pool lacks ${field}`).toHaveProperty(field);
    expect(tank.health).toBe("DEGRADED");
    const problem = JSON.parse(await h.observer.waitFor("homeassistant/binary_sensor/pve2mqtt_homelab/zfs_pve2_tank_health/config")) as Record<string, unknown>;
    expect(problem.device_class).toBe("problem");
  });

  it("reads a guest's IPs, OS, snapshots and last backup within the first two polls", async () => {
    const first = await h.observer.waitForJson(`${h.base}/qemu/100`);
    for (const field of NEW_GUEST_FIELDS) expect(first, `guest lacks ${field}`).toHaveProperty(field);
    const states = h.observer.on(`${h.base}/qemu/100`).slice(0, 2).map((message) => JSON.parse(message.payload) as Record<string, unknown>);
    const known = states.find((state) => state.ip !== null && state.snapshots !== null);
    expect(known, "qemu/100's details in its first two states").toBeDefined();
    expect(known!.ip).toBe("192.168.1.50");
    expect(known!.os).not.toBeNull();
  });

  it("follows a backup job PVE's scheduler started: running, progress, then each guest's outcome and the error's reason", async () => {
    h.sim.updateGuest(101, { backupError: "storage 'nas' is not online" });
    const since = h.observer.messages.length;
    h.sim.startScheduledBackup({ node: "pve1", vmids: [100, 101, 200], storage: "local" });
    await h.observer.waitForJson(`${h.base}/qemu/100`, (state) => state.backup_running === true, 10_000, since);
    const done = await h.observer.waitForJson(`${h.base}/qemu/101`, (state) => state.last_backup_status === "error", 20_000, since);
    expect(done.last_backup_error).toBe("storage 'nas' is not online");
    expect(done.backup_running).toBe(false);
    const ok = await h.observer.waitForJson(`${h.base}/qemu/100`, (state) => state.last_backup_status === "ok", 20_000, since);
    expect(ok).toMatchObject({ last_backup_error: null, backup_running: false, backup_progress: null });
    expect(ok.last_backup).not.toBeNull();
    // the qemu guest's progress while its part ran: numbers 0–100, never going back
    const progress = h.observer.on(`${h.base}/qemu/100`).slice(0).map((message) => JSON.parse(message.payload).backup_progress).filter((value) => typeof value === "number");
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const ct = await h.observer.waitForJson(`${h.base}/lxc/200`, (state) => state.last_backup_status === "ok", 20_000, since);
    expect(ct.backup_progress).toBeNull();
    const cluster = await h.observer.waitForJson(`${h.base}/cluster`, (state) => state.backups_running === 0 && (state.tasks_failed as number) >= 1, 10_000, since);
    expect(cluster.tasks_failed).toBeGreaterThanOrEqual(1);
  });

  it("leaves last_action as it was when a command is refused before PVE saw it", async () => {
    const topic = `${h.base}/qemu/100`;
    const before = (await h.observer.waitForJson(topic)).last_action;
    const since = h.observer.messages.length;
    await h.observer.client.publishAsync(`${topic}/set`, '{"action": "strat"}');
    const result = JSON.parse(await h.observer.waitFor(`${topic}/result`, () => true, 10_000, since)) as Record<string, unknown>;
    expect(result.status).toBe("error");
    // the next full poll publishes the guest's state again if it changed: it must not carry the refusal
    await h.observer.client.publishAsync(`${h.base}/bridge/request/refresh`, "{}");
    await h.observer.waitFor(`${h.base}/bridge/response/refresh`, () => true, 10_000, since);
    expect(h.observer.json(topic).last_action).toEqual(before);
  });
});

describe("a disk that starts failing, a pool that degrades, a disk that leaves", () => {
  let h: Harness;

  beforeAll(async () => {
    // disks read every 2 s (1 s polls)
    h = await startHarness({ config: { details: { disks: 2, updates: 0 } } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("flips the problem sensors within one disks cadence, and takes a removed disk offline", async () => {
    await h.observer.waitForJson(`${h.base}/disk/pve1/sda`, (state) => state.health === "ok");
    const since = h.observer.messages.length;
    h.sim.health.setDisk("pve1", "/dev/sda", { health: "FAILED!" });
    h.sim.health.setPool("pve1", "rpool", { health: "DEGRADED" });
    await h.observer.waitForJson(`${h.base}/disk/pve1/sda`, (state) => state.health === "failing", 5_000, since);
    await h.observer.waitForJson(`${h.base}/zfs/pve1/rpool`, (state) => state.health === "DEGRADED", 5_000, since);
    h.sim.health.removeDisk("pve1", "/dev/sdc");
    expect(await h.observer.waitFor(`${h.base}/disk/pve1/sdc/availability`, (payload) => payload === "offline", 5_000, since)).toBe("offline");
    // the others stay
    expect(h.observer.last(`${h.base}/disk/pve1/sda/availability`)).toBe("online");
  });
});
