import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient, type Session } from "./client.js";

describe("snapshot delete and rollback, as PVE answers them", () => {
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

  const snapshot = async (path: string, snapname: string, extra: Record<string, string> = {}) =>
    session.waitTask((await session.post(`${path}/snapshot`, { snapname, ...extra })).json.data);

  it("deletes a snapshot in a task, holding the snapshot-delete lock meanwhile", async () => {
    await snapshot("/nodes/pve1/qemu/100", "one");
    await snapshot("/nodes/pve1/qemu/100", "two");
    const reply = await session.delete("/nodes/pve1/qemu/100/snapshot/one");
    expect(reply.status).toBe(200);
    expect(reply.json.data).toMatch(/^UPID:pve1:.*:qmdelsnapshot:100:/);
    expect(sim.guest(100)?.lock).toBe("snapshot-delete");
    const done = await session.waitTask(reply.json.data);
    expect(done.exitstatus).toBe("OK");
    expect(sim.guest(100)?.snapshots).toEqual(["two"]);
    expect(sim.guest(100)?.lock).toBeUndefined();
  });

  it("fails the task (not the request) for a snapshot that does not exist", async () => {
    const reply = await session.delete("/nodes/pve1/lxc/200/snapshot/missing");
    expect(reply.status).toBe(200);
    const done = await session.waitTask(reply.json.data);
    expect([done.type, done.exitstatus]).toEqual(["vzdelsnapshot", "snapshot 'missing' does not exist"]);
    const rollback = await session.post("/nodes/pve1/lxc/200/snapshot/missing/rollback");
    expect(rollback.status).toBe(200);
    const failed = await session.waitTask(rollback.json.data);
    expect([failed.type, failed.exitstatus]).toEqual(["vzrollback", "snapshot 'missing' does not exist"]);
  });

  it("rolls back: the guest stops, and runs again with start=1 or a RAM snapshot", async () => {
    await snapshot("/nodes/pve1/lxc/200", "clean");
    expect(sim.guest(200)?.status).toBe("running");
    const plain = await session.waitTask((await session.post("/nodes/pve1/lxc/200/snapshot/clean/rollback")).json.data);
    expect([plain.type, plain.exitstatus]).toEqual(["vzrollback", "OK"]);
    expect(sim.guest(200)?.status).toBe("stopped");
    const started = await session.waitTask((await session.post("/nodes/pve1/lxc/200/snapshot/clean/rollback", { start: "1" })).json.data);
    expect(started.exitstatus).toBe("OK");
    expect(sim.guest(200)?.status).toBe("running");

    await snapshot("/nodes/pve1/qemu/101", "with_ram", { vmstate: "1" });
    const ram = await session.waitTask((await session.post("/nodes/pve1/qemu/101/snapshot/with_ram/rollback")).json.data);
    expect([ram.type, ram.exitstatus]).toEqual(["qmrollback", "OK"]);
    expect(sim.guest(101)?.status).toBe("running");
  });

  it("refuses unknown rollback parameters and a bad start value before any task", async () => {
    const bogus = await session.post("/nodes/pve1/qemu/101/snapshot/with_ram/rollback", { bogus: "1" });
    expect(bogus.status).toBe(400);
    expect(Object.keys(bogus.json.errors)).toEqual(["bogus"]);
    const bad = await session.post("/nodes/pve1/qemu/101/snapshot/with_ram/rollback", { start: "maybe" });
    expect(bad.status).toBe(400);
    expect(bad.json.errors.start).toContain("boolean");
  });
});
