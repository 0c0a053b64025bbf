import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { waitFor } from "../mqtt/helpers.js";
import { TestClient, type Session } from "./client.js";

describe("actions, tasks, snapshots and backups", () => {
  let sim: PveSimulator;
  let client: TestClient;
  let session: Session;

  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 50, haDelayMs: 150 });
    client = new TestClient(sim);
    session = await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it("answers task status only on the UPID's node, without endtime, exitstatus only when stopped", async () => {
    const upid = (await session.post("/nodes/pve1/qemu/101/status/reboot")).json.data;
    const running = (await session.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).json.data;
    expect(running.status).toBe("running");
    expect("exitstatus" in running).toBe(false);
    const elsewhere = await session.get(`/nodes/pve2/tasks/${encodeURIComponent(upid)}/status`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json.errors).toEqual({ upid: "no such task" });
    const done = await session.waitTask(upid);
    expect(done.exitstatus).toBe("OK");
    expect(done.endtime).toBeUndefined();
    const list = (await session.get("/nodes/pve1/tasks")).json.data;
    expect(list[0]).toMatchObject({ upid, status: "OK", endtime: expect.any(Number) });
  });

  it("refuses unknown parameters with PVE's schema message", async () => {
    const reply = await session.post("/nodes/pve1/qemu/101/status/start", { bogus: "1" });
    expect([reply.status, reply.reason]).toEqual([400, "Parameter verification failed."]);
    expect(reply.json).toEqual({ data: null, errors: { bogus: "property is not defined in schema and the schema does not allow additional properties" } });
  });

  it("pauses, hibernates and resumes qemu the PVE way", async () => {
    await session.waitTask((await session.post("/nodes/pve1/qemu/101/status/suspend", { todisk: "0" })).json.data);
    expect(sim.guest(101)?.status).toBe("paused");
    const shutdown = await session.post("/nodes/pve1/qemu/101/status/shutdown");
    expect([shutdown.status, shutdown.reason]).toEqual([500, "VM is paused - cannot shutdown"]);
    expect((await session.post("/nodes/pve1/qemu/101/status/reboot")).status).toBe(500);
    await session.waitTask((await session.post("/nodes/pve1/qemu/101/status/resume")).json.data);
    expect(sim.guest(101)?.status).toBe("running");
    const hibernate = await session.waitTask((await session.post("/nodes/pve1/qemu/101/status/suspend", { todisk: "1" })).json.data);
    expect(hibernate.type).toBe("qmsuspend");
    expect(sim.guest(101)).toMatchObject({ status: "hibernated", lock: "suspended" });
    await session.waitTask((await session.post("/nodes/pve1/qemu/101/status/resume")).json.data);
    expect(sim.guest(101)?.status).toBe("running");
    expect(sim.guest(101)?.lock).toBeUndefined();
  });

  it("refuses lxc start when running and shutdown when stopped; CRIU suspend fails in the task", async () => {
    const start = await session.post("/nodes/pve1/lxc/200/status/start");
    expect([start.status, start.reason]).toEqual([500, "CT 200 already running"]);
    const shutdown = await session.post("/nodes/pve1/lxc/203/status/shutdown");
    expect([shutdown.status, shutdown.reason]).toEqual([500, "CT 203 not running"]);
    const suspend = await session.waitTask((await session.post("/nodes/pve1/lxc/200/status/suspend")).json.data);
    expect(suspend.exitstatus).toBe("CRIU checkpointing failed - experimental feature");
    expect(sim.guest(200)?.status).toBe("running");
  });

  it("gives HA guests hastop/hastart tasks that end before the guest changes", async () => {
    const upid = (await session.post("/nodes/pve3/qemu/104/status/shutdown")).json.data;
    expect(upid).toMatch(/:hastop:104:root@pam:$/);
    const task = await session.waitTask(upid);
    expect(task.exitstatus).toBe("OK");
    expect(sim.guest(104)?.status).toBe("running");
    await waitFor(() => sim.guest(104)?.status === "stopped", "guest 104 to stop after its hastop task");
    const row = (await session.get("/cluster/resources", { type: "vm" })).json.data.find((r: any) => r.vmid === 104);
    expect(row.hastate).toBe("stopped");
    const tasks = (await session.get("/nodes/pve3/tasks")).json.data;
    expect(tasks[0]).toMatchObject({ type: "qmstop", user: "root@pam" });
    expect((await session.post("/nodes/pve3/qemu/104/status/start")).json.data).toMatch(/:hastart:104:/);
  });

  it("returns OK and runs nothing for vzdump on the wrong node; locks the guest and stores a backup on the right one", async () => {
    const wrong = await session.post("/nodes/pve2/vzdump", { vmid: "100", storage: "nas", mode: "snapshot", compress: "zstd" });
    expect(wrong.json.data).toBe("OK");
    expect(sim.guest(100)?.lock).toBeUndefined();
    const upid = (await session.post("/nodes/pve1/vzdump", { vmid: "100", storage: "nas", mode: "snapshot", compress: "zstd", "notes-template": "{{guestname}}" })).json.data;
    expect(upid).toMatch(/:vzdump:100:root@pam:$/);
    expect(sim.guest(100)?.lock).toBe("backup");
    const locked = await session.post("/nodes/pve1/qemu/100/status/shutdown");
    expect([locked.status, locked.reason]).toEqual([500, "VM is locked (backup)"]);
    expect((await session.waitTask(upid)).exitstatus).toBe("OK");
    expect(sim.guest(100)).toMatchObject({ backups: 1 });
    expect(sim.guest(100)?.lock).toBeUndefined();
    const content = (await session.get("/nodes/pve2/storage/nas/content", { content: "backup", vmid: "100" })).json.data;
    expect(content).toHaveLength(1);
    expect(content[0]).toMatchObject({ content: "backup", vmid: 100, format: "vma.zst" });
    expect(content[0].volid).toMatch(/^nas:backup\/vzdump-qemu-100-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.vma\.zst$/);
  });

  it("refuses vzdump options PVE refuses", async () => {
    const notes = await session.post("/nodes/pve1/vzdump", { vmid: "100", "notes-template": "x" });
    expect(notes.status).toBe(400);
    expect(notes.json.errors.storage).toContain("notes-template");
    const wrongContent = await session.post("/nodes/pve1/vzdump", { vmid: "100", storage: "local-lvm" });
    expect(wrongContent.status).toBe(500);
    expect(wrongContent.reason).toContain("local-lvm");
    const unknown = await session.post("/nodes/pve1/vzdump", { vmid: "100", storage: "nowhere" });
    expect(unknown.status).toBe(500);
  });

  it("checks snapshot names before any task and fails duplicates and unsupported storage in the task", async () => {
    for (const [name, why] of [["1abc", "invalid format"], ["a", "invalid format"], ["x".repeat(41), "40 characters"], ["current", "reserved"], ["Pending", "reserved"]] as const) {
      const reply = await session.post("/nodes/pve1/qemu/100/snapshot", { snapname: name });
      expect(reply.status).toBe(400);
      expect(reply.json.errors.snapname).toContain(why);
    }
    const vzdumpName = await session.post("/nodes/pve1/lxc/200/snapshot", { snapname: "vzdump" });
    expect(vzdumpName.status).toBe(400);
    const vmstate = await session.post("/nodes/pve1/lxc/200/snapshot", { snapname: "before", vmstate: "1" });
    expect(vmstate.status).toBe(400);
    expect(Object.keys(vmstate.json.errors)).toEqual(["vmstate"]);
    const first = await session.waitTask((await session.post("/nodes/pve1/qemu/100/snapshot", { snapname: "before_update", vmstate: "1" })).json.data);
    expect([first.type, first.exitstatus]).toEqual(["qmsnapshot", "OK"]);
    const again = await session.waitTask((await session.post("/nodes/pve1/qemu/100/snapshot", { snapname: "before_update" })).json.data);
    expect(again.exitstatus).toBe("snapshot name 'before_update' already used");
    expect(sim.guest(100)?.snapshots).toEqual(["before_update"]);
    const list = (await session.get("/nodes/pve1/qemu/100/snapshot")).json.data;
    expect(list.at(-1)).toMatchObject({ name: "current", parent: "before_update" });
    expect(list[0]).toMatchObject({ name: "before_update", vmstate: 1 });
    sim.updateGuest(201, { snapshotFeature: false });
    const unsupported = await session.waitTask((await session.post("/nodes/pve2/lxc/201/snapshot", { snapname: "snap1" })).json.data);
    expect([unsupported.type, unsupported.exitstatus]).toEqual(["vzsnapshot", "snapshot feature is not available"]);
  });

  it("ends tasks of a configured guest with WARNINGS: 1", async () => {
    sim.updateGuest(202, { warnings: true });
    const task = await session.waitTask((await session.post("/nodes/pve3/lxc/202/status/reboot")).json.data);
    expect(task.exitstatus).toBe("WARNINGS: 1");
  });

  it("answers a migrated guest on its old node with the missing-config error", async () => {
    sim.migrateGuest(1000, "pve3");
    const reply = await session.post("/nodes/pve2/lxc/1000/status/reboot");
    expect([reply.status, reply.reason]).toEqual([500, "Configuration file 'nodes/pve2/lxc/1000.conf' does not exist"]);
    expect((await session.post("/nodes/pve3/lxc/1000/status/reboot")).status).toBe(200);
  });

  it("runs startall/stopall as tasks with an empty id and node reboot with a null answer", async () => {
    const upid = (await session.post("/nodes/pve2/stopall")).json.data;
    expect(upid).toMatch(/^UPID:pve2:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:stopall::root@pam:$/);
    await session.waitTask(upid);
    expect(sim.guest(201)?.status).toBe("stopped");
    const reboot = await session.post("/nodes/pve2/status", { command: "reboot" });
    expect(reboot.json).toEqual({ data: null });
    // The node goes away shortly after (595 through the API), then comes back.
    await waitFor(async () => (await session.get("/nodes/pve2/status")).status === 595, "pve2 to go away");
    await waitFor(async () => (await session.get("/nodes/pve2/status")).status === 200, "pve2 to come back");
  });
});
