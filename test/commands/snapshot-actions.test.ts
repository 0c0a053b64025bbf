import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceRef } from "../../src/commands/types.js";
import type { PveClient } from "../../src/pve/client.js";
import { followTask } from "../../src/pve/tasks.js";
import { PveSimulator } from "../../src/sim/index.js";
import { clientFor, RunnerHarness } from "./harness.js";

let sim: PveSimulator;
let api: PveClient;

beforeAll(async () => {
  sim = await PveSimulator.start({
    authFailureDelayMs: 20,
    taskDurationMs: 80,
    nodes: ["pve1", "pve2"],
    guests: [
      { vmid: 100, kind: "qemu", node: "pve1", status: "running" },
      { vmid: 200, kind: "lxc", node: "pve2", status: "running" },
      { vmid: 201, kind: "lxc", node: "pve2", status: "running" },
    ],
  });
  api = clientFor(sim);
  for (const [path, snapname] of [["/nodes/pve1/qemu/100", "keep_me"], ["/nodes/pve1/qemu/100", "old"], ["/nodes/pve2/lxc/200", "clean"], ["/nodes/pve2/lxc/201", "base"]] as const) {
    const upid = await api.snapshot(path.includes("qemu") ? "qemu" : "lxc", path.split("/")[2]!, Number(path.split("/").at(-1)), { snapname });
    await followTask(api, upid);
  }
});
afterAll(async () => {
  await api?.close();
  await sim?.stop();
});


const qemu = (vmid: number): DeviceRef => ({ kind: "qemu", vmid });
const lxc = (vmid: number): DeviceRef => ({ kind: "lxc", vmid });
const writes = () => sim.requests.filter((r) => r.method !== "GET" && r.path !== "/access/ticket");
const reads = () => sim.requests.filter((r) => r.method === "GET" && !r.path.includes("/tasks/"));

async function run(commands: Record<string, unknown>, device: DeviceRef, payload: string) {
  const h = new RunnerHarness(api, commands);
  await h.poll();
  sim.clearRequests();
  h.runner.handle(device, Buffer.from(payload), { retained: false });
  await h.runner.idle();
  return { results: h.resultsFor(device), writes: writes(), reads: reads() };
}

describe("snapshot_delete", () => {
  it("is allowed by default: checks the snapshot exists, deletes it in a task, reports started then ok", async () => {
    const { results, writes } = await run({}, qemu(100), '{"action": "snapshot_delete", "name": "old", "id": "d1"}');
    // the list is read once, before the write (the runner's refreshes read more afterwards)
    const order = sim.requests.filter((r) => r.path.startsWith("/nodes/pve1/qemu/100/snapshot")).map((r) => `${r.method} ${r.path}`);
    expect(order).toEqual(["GET /nodes/pve1/qemu/100/snapshot", "DELETE /nodes/pve1/qemu/100/snapshot/old"]);
    expect(writes.map((r) => [r.method, r.path])).toEqual([["DELETE", "/nodes/pve1/qemu/100/snapshot/old"]]);
    expect(writes[0]!.csrf).toBe(true);
    expect(results.map((r) => r.status)).toEqual(["started", "ok"]);
    expect(results[1]).toMatchObject({ id: "d1", action: "snapshot_delete", exitstatus: "OK", upid: expect.stringContaining(":qmdelsnapshot:100:") });
    expect(sim.guest(100)?.snapshots).toEqual(["keep_me"]);
  });

  it("refuses a snapshot the guest does not have, after one read and with no write", async () => {
    const { results, writes, reads } = await run({}, qemu(100), '{"action": "snapshot_delete", "name": "nope"}');
    expect(writes).toEqual([]);
    expect(reads.map((r) => r.path)).toEqual(["/nodes/pve1/qemu/100/snapshot"]);
    expect(results).toEqual([expect.objectContaining({ action: "snapshot_delete", status: "error", error: "snapshot 'nope' does not exist on qemu/100 (its snapshots: keep_me)" })]);
  });

  it("refuses a bad or missing name before any request", async () => {
    for (const [payload, error] of [
      ['{"action": "snapshot_delete", "name": "a/b"}', /invalid snapshot name 'a\/b': must start with a letter/],
      ['{"action": "snapshot_delete"}', /invalid snapshot name/],
      ["snapshot_delete", /invalid snapshot name/],
      ['{"action": "snapshot_delete", "name": "x", "force": true}', /unknown parameter 'force' for snapshot_delete on qemu \(expected name\)/],
    ] as const) {
      const { results, writes, reads } = await run({}, qemu(100), payload);
      expect([...writes, ...reads]).toEqual([]);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: "error", error: expect.stringMatching(error) });
    }
  });

  it("is refused when commands.allow leaves it out, or on a read-only bridge", async () => {
    for (const commands of [{ allow: ["snapshot"] }, { enabled: false }]) {
      const { results, writes, reads } = await run(commands, qemu(100), '{"action": "snapshot_delete", "name": "keep_me"}');
      expect([...writes, ...reads]).toEqual([]);
      expect(results[0]!.error).toMatch(/action 'snapshot_delete' is not allowed/);
    }
  });
});

describe("rollback", () => {
  it("is not allowed unless listed in commands.allow, and then makes no request", async () => {
    const { results, writes, reads } = await run({}, lxc(200), '{"action": "rollback", "name": "clean"}');
    expect([...writes, ...reads]).toEqual([]);
    expect(results).toEqual([expect.objectContaining({ status: "error", error: expect.stringMatching(/action 'rollback' is not allowed: commands.allow is \[/) })]);
  });

  it("rolls back a container with start, once listed", async () => {
    const { results, writes } = await run({ allow: ["rollback"] }, lxc(200), '{"action": "rollback", "name": "clean", "start": true}');
    expect(writes.map((r) => [r.method, r.path, r.body])).toEqual([["POST", "/nodes/pve2/lxc/200/snapshot/clean/rollback", { start: "1" }]]);
    expect(results.map((r) => r.status)).toEqual(["started", "ok"]);
    expect(results[1]!.upid).toContain(":vzrollback:200:");
    expect(sim.guest(200)?.status).toBe("running");
  });

  it("rolls back a VM without start: it ends stopped", async () => {
    const { results, writes } = await run({ allow: ["rollback"] }, qemu(100), '{"action": "rollback", "name": "keep_me"}');
    expect(writes.map((r) => [r.path, r.body])).toEqual([["/nodes/pve1/qemu/100/snapshot/keep_me/rollback", {}]]);
    expect(results.map((r) => r.status)).toEqual(["started", "ok"]);
    expect(sim.guest(100)?.status).toBe("stopped");
  });

  it("refuses an unknown snapshot, a bad name and a bad start value with no write", async () => {
    const allowed = { allow: ["rollback"] };
    const missing = await run(allowed, lxc(201), '{"action": "rollback", "name": "clean"}');
    expect(missing.writes).toEqual([]);
    expect(missing.results[0]!.error).toBe("snapshot 'clean' does not exist on lxc/201 (its snapshots: base)");
    const bad = await run(allowed, lxc(201), '{"action": "rollback", "name": "../base"}');
    expect([...bad.writes, ...bad.reads]).toEqual([]);
    expect(bad.results[0]!.error).toMatch(/invalid snapshot name/);
    const start = await run(allowed, lxc(201), '{"action": "rollback", "name": "base", "start": "soon"}');
    expect([...start.writes, ...start.reads]).toEqual([]);
    expect(start.results[0]!.error).toMatch(/invalid 'start' 'soon': expected true or false/);
  });
});

describe("execute (the schedules' way in)", () => {
  it("resolves with the final result and publishes the same results as a /set message", async () => {
    const h = new RunnerHarness(api, {});
    await h.poll();
    const final = await h.runner.execute(lxc(201), { action: "snapshot", id: "schedule:test", name: "by_execute" });
    expect(final).toMatchObject({ id: "schedule:test", action: "snapshot", status: "ok", exitstatus: "OK" });
    expect(h.resultsFor(lxc(201)).map((r) => r.status)).toEqual(["started", "ok"]);
    const refused = await h.runner.execute(lxc(201), { action: "snapshot_delete", id: "schedule:test", name: "ghost" });
    expect(refused).toMatchObject({ status: "error", id: "schedule:test", error: expect.stringContaining("does not exist") });
  });
});
