import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceRef } from "../../src/commands/types.js";
import { PveClient } from "../../src/pve/client.js";
import { PveSimulator } from "../../src/sim/index.js";
import type { SimGuestSpec } from "../../src/sim/types.js";
import type { CommandResult } from "../../src/state/types.js";
import { clientFor, RunnerHarness } from "./harness.js";

const GUESTS: SimGuestSpec[] = [
  { vmid: 101, kind: "qemu", node: "pve1", name: "power-vm", status: "stopped" },
  { vmid: 201, kind: "lxc", node: "pve1", name: "power-ct", status: "stopped" },
  { vmid: 102, kind: "qemu", node: "pve1", name: "snap-vm", status: "running" },
  { vmid: 202, kind: "lxc", node: "pve2", name: "snap-ct", status: "running" },
  { vmid: 103, kind: "qemu", node: "pve1", name: "no-snap", status: "running", snapshotFeature: false },
  { vmid: 104, kind: "qemu", node: "pve1", name: "locked", status: "stopped", lock: "backup" },
  { vmid: 105, kind: "qemu", node: "pve1", name: "migrating", status: "running" },
  { vmid: 106, kind: "qemu", node: "pve1", name: "migrating-backup", status: "running" },
  { vmid: 107, kind: "qemu", node: "pve2", name: "ha-vm", status: "stopped", ha: true },
  { vmid: 108, kind: "qemu", node: "pve2", name: "busy", status: "running" },
  { vmid: 109, kind: "qemu", node: "pve2", name: "stopper", status: "running" },
  { vmid: 110, kind: "qemu", node: "pve2", name: "warns", status: "running", warnings: true },
  { vmid: 111, kind: "qemu", node: "pve3", status: "stopped" },
  { vmid: 112, kind: "qemu", node: "pve3", status: "stopped" },
  { vmid: 113, kind: "lxc", node: "pve3", status: "stopped" },
  { vmid: 114, kind: "lxc", node: "pve3", status: "stopped" },
  { vmid: 115, kind: "qemu", node: "pve1", name: "hang", status: "running" },
  { vmid: 401, kind: "qemu", node: "pve4", name: "node-guest", status: "running" },
];

let sim: PveSimulator;
let api: PveClient;

beforeAll(async () => {
  sim = await PveSimulator.start({
    authFailureDelayMs: 20,
    taskDurationMs: 100,
    haDelayMs: 300,
    nodes: ["pve1", "pve2", "pve3", "pve4"],
    guests: GUESTS,
  });
  api = clientFor(sim);
});

afterAll(async () => {
  await api?.close();
  await sim?.stop();
});

const qemu = (vmid: number): DeviceRef => ({ kind: "qemu", vmid });
const lxc = (vmid: number): DeviceRef => ({ kind: "lxc", vmid });

async function harness(commands: Record<string, unknown> = {}, client: PveClient = api): Promise<RunnerHarness> {
  const h = new RunnerHarness(client, commands);
  await h.poll();
  return h;
}

function simGuest(vmid: number) {
  const guest = sim.guest(vmid);
  if (!guest) throw new Error(`the simulator has no guest ${vmid}`);
  return guest;
}

function posts() {
  return sim.requests.filter((request) => request.method === "POST" && request.path !== "/access/ticket");
}

/** Sends one command, waits for everything it does, returns the POSTs it made and its results. */
async function run(h: RunnerHarness, device: DeviceRef, payload: string) {
  sim.clearRequests();
  const before = h.results.length;
  h.runner.handle(device, Buffer.from(payload), { retained: false });
  await h.runner.idle();
  return {
    posts: posts().map(({ method, path, body, status }) => ({ method, path, body, status })),
    results: h.results.slice(before).map((entry) => entry.result),
  };
}

function expectStartedThenOk(results: CommandResult[], action: string, id: unknown = null) {
  expect(results).toHaveLength(2);
  expect(results[0]).toMatchObject({ id, action, status: "started", upid: expect.stringMatching(/^UPID:/) });
  expect(results[1]).toMatchObject({ id, action, status: "ok", upid: results[0]!.upid, error: null, duration: expect.any(Number) });
  expect(results[1]!.exitstatus).toMatch(/^(OK|WARNINGS: \d+)$/);
}

describe("CommandRunner against the simulator", () => {
  it("runs every power action on qemu with PVE's paths and bodies", async () => {
    const h = await harness();
    const steps: Array<[string, string, Record<string, string>, string]> = [
      ["start", "start", {}, "running"],
      ['{"action": "reboot", "timeout": 30}', "reboot", { timeout: "30" }, "running"],
      ["suspend", "suspend", {}, "paused"],
      ["resume", "resume", {}, "running"],
      ['{"action": "suspend", "todisk": true}', "suspend", { todisk: "1" }, "hibernated"],
      ["resume", "resume", {}, "running"],
      ['{"action": "shutdown", "timeout": 60, "force_stop": true, "id": "s1"}', "shutdown", { timeout: "60", forceStop: "1" }, "stopped"],
      ["stop", "stop", {}, "stopped"],
    ];
    for (const [payload, action, body, simStatus] of steps) {
      const { posts, results } = await run(h, qemu(101), payload);
      expect(posts).toEqual([{ method: "POST", path: `/nodes/pve1/qemu/101/status/${action}`, body, status: 200 }]);
      expectStartedThenOk(results, action, payload.includes('"id"') ? "s1" : null);
      expect(simGuest(101).status).toBe(simStatus);
    }
  });

  it("runs power actions on lxc; CRIU suspend fails as a task error with PVE's text", async () => {
    const h = await harness();
    for (const [payload, action, body] of [
      ["start", "start", {}],
      ['{"action": "reboot", "timeout": 10}', "reboot", { timeout: "10" }],
      ['{"action": "shutdown", "force_stop": false}', "shutdown", { forceStop: "0" }],
      ["start", "start", {}],
      ["stop", "stop", {}],
    ] as const) {
      const { posts, results } = await run(h, lxc(201), payload);
      expect(posts).toEqual([{ method: "POST", path: `/nodes/pve1/lxc/201/status/${action}`, body, status: 200 }]);
      expectStartedThenOk(results, action);
    }
    await run(h, lxc(201), "start");
    const { posts, results } = await run(h, lxc(201), "suspend");
    expect(posts).toEqual([{ method: "POST", path: "/nodes/pve1/lxc/201/status/suspend", body: {}, status: 200 }]);
    expect(results.map((r) => r.status)).toEqual(["started", "error"]);
    expect(results[1]!.exitstatus).toMatch(/CRIU/);
    expect(results[1]!.error).toBe(results[1]!.exitstatus);
  });

  it("snapshots qemu and lxc with their parameters, refreshing snapshots details", async () => {
    const h = await harness();
    const vm = await run(h, qemu(102), '{"action": "snapshot", "name": "before_update", "description": "pre", "vmstate": true}');
    expect(vm.posts).toEqual([{ method: "POST", path: "/nodes/pve1/qemu/102/snapshot", body: { snapname: "before_update", description: "pre", vmstate: "1" }, status: 200 }]);
    expectStartedThenOk(vm.results, "snapshot");
    expect(simGuest(102).snapshots).toContain("before_update");
    expect(h.events).toEqual(["started", "refresh", "ok", "refresh"]);
    expect(h.refreshes.map((call) => call.options)).toEqual([undefined, { details: ["snapshots"] }]);

    const ct = await run(h, lxc(202), "snapshot");
    expect(ct.posts).toHaveLength(1);
    expect(ct.posts[0]).toMatchObject({ path: "/nodes/pve2/lxc/202/snapshot", body: { snapname: expect.stringMatching(/^pve2mqtt_\d{8}_\d{6}$/) } });
    expectStartedThenOk(ct.results, "snapshot");
  });

  it("backs up at the guest's node with defaults merged, refreshing backups details", async () => {
    const h = await harness({ backup: { storage: "local", compress: "lzo" } });
    const { posts, results } = await run(h, qemu(102), '{"action": "backup", "options": "storage=nas mode=stop", "notes": "{{vmid}}", "id": 9}');
    expect(posts).toEqual([
      { method: "POST", path: "/nodes/pve1/vzdump", body: { vmid: "102", storage: "nas", mode: "stop", compress: "lzo", "notes-template": "{{vmid}}" }, status: 200 },
    ]);
    expectStartedThenOk(results, "backup", 9);
    expect(simGuest(102).backups).toBeGreaterThan(0);
    expect(h.refreshes.at(-1)!.options).toEqual({ details: ["backups"] });

    const ct = await run(h, lxc(202), "backup");
    expect(ct.posts).toEqual([{ method: "POST", path: "/nodes/pve2/vzdump", body: { vmid: "202", storage: "local", mode: "snapshot", compress: "lzo" }, status: 200 }]);
    expectStartedThenOk(ct.results, "backup");
  });

  it("WARNINGS: n is ok", async () => {
    const h = await harness();
    const { results } = await run(h, qemu(110), '{"action": "snapshot", "name": "w1"}');
    expect(results[1]).toMatchObject({ status: "ok", exitstatus: "WARNINGS: 1", error: null });
  });

  it("a failing task ends in an error result carrying its exitstatus", async () => {
    const h = await harness();
    const { posts, results } = await run(h, qemu(103), '{"action": "snapshot", "name": "nope", "id": "x"}');
    expect(posts).toHaveLength(1);
    expect(results.map((r) => r.status)).toEqual(["started", "error"]);
    expect(results[1]).toMatchObject({ id: "x", action: "snapshot", upid: results[0]!.upid, exitstatus: expect.stringContaining("snapshot feature is not available") });
    expect(results[1]!.error).toBe(results[1]!.exitstatus);
  });

  it("surfaces PVE's refusal as one error result", async () => {
    const h = await harness();
    const { posts, results } = await run(h, qemu(104), "start");
    expect(posts).toEqual([{ method: "POST", path: "/nodes/pve1/qemu/104/status/start", body: {}, status: 500 }]);
    expect(results).toEqual([expect.objectContaining({ id: null, action: "start", status: "error", error: "VM is locked (backup)" })]);
  });

  it("retries once at the new node when the guest has migrated", async () => {
    const h = await harness();
    sim.migrateGuest(105, "pve3");
    const { posts, results } = await run(h, qemu(105), '{"action": "shutdown", "timeout": 5}');
    expect(posts.map(({ path, status }) => ({ path, status }))).toEqual([
      { path: "/nodes/pve1/qemu/105/status/shutdown", status: 500 },
      { path: "/nodes/pve3/qemu/105/status/shutdown", status: 200 },
    ]);
    expect(posts[1]!.body).toEqual({ timeout: "5" });
    expectStartedThenOk(results, "shutdown");
    expect(simGuest(105)).toMatchObject({ node: "pve3", status: "stopped" });
  });

  it("handles vzdump answering OK on the old node by retrying at the new one", async () => {
    const h = await harness();
    sim.migrateGuest(106, "pve2");
    const { posts, results } = await run(h, qemu(106), '{"action": "backup", "storage": "nas"}');
    expect(posts.map(({ path, status }) => ({ path, status }))).toEqual([
      { path: "/nodes/pve1/vzdump", status: 200 },
      { path: "/nodes/pve2/vzdump", status: 200 },
    ]);
    expectStartedThenOk(results, "backup");
  });

  it("refreshes an HA-managed guest until it reaches the expected state", async () => {
    const h = await harness();
    const { posts, results } = await run(h, qemu(107), "start");
    expect(posts).toEqual([{ method: "POST", path: "/nodes/pve2/qemu/107/status/start", body: {}, status: 200 }]);
    expectStartedThenOk(results, "start");
    expect(results[0]!.upid).toContain(":hastart:107:");
    const afterEnd = h.refreshes.slice(1);
    expect(afterEnd.length).toBeGreaterThanOrEqual(2);
    expect(afterEnd.at(-1)!.status).toBe("running");
    expect(afterEnd.slice(0, -1).every((call) => call.status !== "running")).toBe(true);
  });

  it("refuses a second power action while the first runs, but lets a snapshot through", async () => {
    const h = await harness();
    sim.clearRequests();
    h.runner.handle(qemu(108), Buffer.from('{"action": "shutdown", "id": 1}'), { retained: false });
    await h.waitFor((results) => results.some((r) => r.status === "started"));
    const upid = h.results[0]!.result.upid!;
    h.runner.handle(qemu(108), Buffer.from('{"action": "stop", "id": 2}'), { retained: false });
    h.runner.handle(qemu(108), Buffer.from('{"action": "snapshot", "name": "during", "id": 3}'), { retained: false });
    await h.runner.idle();
    const refused = h.results.map((entry) => entry.result).filter((r) => r.id === 2);
    expect(refused).toEqual([expect.objectContaining({ status: "error", action: "stop", error: `a power action (shutdown) is still running on qemu/108 (${upid}); wait for its result` })]);
    expect(posts().map((request) => request.path)).toEqual(["/nodes/pve2/qemu/108/status/shutdown", "/nodes/pve2/qemu/108/snapshot"]);
    expect(h.results.filter((entry) => entry.result.id === 1).map((entry) => entry.result.status)).toEqual(["started", "ok"]);
    // Once the first has ended, the next power action goes through.
    const { posts: later } = await run(h, qemu(108), "start");
    expect(later).toHaveLength(1);
  });

  it("starts at most 3 tasks per second: the 4th waits", async () => {
    const h = await harness();
    sim.clearRequests();
    for (const device of [qemu(111), qemu(112), lxc(113), lxc(114)]) h.runner.handle(device, Buffer.from("start"), { retained: false });
    await h.runner.idle();
    const starts = posts();
    expect(starts.map((request) => request.path)).toEqual([
      "/nodes/pve3/qemu/111/status/start",
      "/nodes/pve3/qemu/112/status/start",
      "/nodes/pve3/lxc/113/status/start",
      "/nodes/pve3/lxc/114/status/start",
    ]);
    expect(starts[3]!.at - starts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(h.results.filter((entry) => entry.result.status === "ok")).toHaveLength(4);
  });

  it("makes no PVE request for bad input or an unknown guest", async () => {
    const h = await harness({ allow: ["start", "snapshot"] });
    const bad: Array<[DeviceRef, string, string]> = [
      [qemu(102), "strat", "unknown action 'strat'"],
      [qemu(102), '{"action": "snapshot", "name": "1x", "id": "t"}', "invalid snapshot name '1x'"],
      [qemu(102), "stop", "commands.allow is [start, snapshot]"],
      [lxc(202), '{"action": "snapshot", "vmstate": true}', "parameter 'vmstate' is only valid for qemu"],
      [qemu(102), '{"action": "backup"', "malformed JSON"],
      [qemu(999), "start", "qemu/999 does not exist"],
      [lxc(102), "start", "lxc/102 does not exist"],
      [{ kind: "node", node: "pve9" }, "refresh", "node/pve9 does not exist"],
    ];
    for (const [device, payload, fragment] of bad) {
      const { posts, results } = await run(h, device, payload);
      expect(sim.requests).toEqual([]);
      expect(posts).toEqual([]);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ status: "error", error: expect.stringContaining(fragment) });
    }
    expect(h.results[1]!.result).toMatchObject({ id: "t", action: "snapshot" });
  });

  it("ignores retained /set messages", async () => {
    const h = await harness();
    sim.clearRequests();
    h.runner.handle(qemu(102), Buffer.from("stop"), { retained: true });
    await h.runner.idle();
    expect(sim.requests).toEqual([]);
    expect(h.results).toEqual([]);
  });

  it("refresh re-reads the device and answers ok, even when commands are disabled", async () => {
    const h = await harness({ enabled: false });
    const guest = await run(h, qemu(102), '{"action": "refresh", "id": "r"}');
    expect(guest.posts).toEqual([]);
    expect(guest.results).toEqual([expect.objectContaining({ id: "r", action: "refresh", status: "ok" })]);
    expect(h.refreshes.at(-1)).toMatchObject({ device: qemu(102), options: { details: ["ips", "snapshots", "backups"] }, status: "running" });

    const node = await run(h, { kind: "node", node: "pve1" }, "refresh");
    expect(node.results).toEqual([expect.objectContaining({ action: "refresh", status: "ok" })]);
    expect(h.refreshes.at(-1)!.options).toEqual({ full: true });
    const bridge = await run(h, { kind: "bridge" }, "refresh");
    expect(bridge.results).toEqual([expect.objectContaining({ status: "ok" })]);
    const storage = await run(h, { kind: "storage", node: "pve1", storage: "nas" }, "refresh");
    expect(storage.results).toEqual([expect.objectContaining({ status: "ok" })]);
  });

  it("stop() stops following without touching the task, and later messages are ignored", async () => {
    const h = await harness();
    sim.clearRequests();
    h.runner.handle(qemu(109), Buffer.from("shutdown"), { retained: false });
    await h.waitFor((results) => results.length === 1);
    h.runner.stop();
    await h.runner.idle();
    h.runner.handle(qemu(109), Buffer.from("start"), { retained: false });
    await h.runner.idle();
    expect(h.results.map((entry) => entry.result.status)).toEqual(["started"]);
    const writes = sim.requests.filter((request) => request.method !== "GET" && request.path !== "/access/ticket");
    expect(writes.map((request) => request.path)).toEqual(["/nodes/pve2/qemu/109/status/shutdown"]);
    // The task itself runs to its end on PVE.
    const deadline = Date.now() + 3000;
    while (simGuest(109).status !== "stopped" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(simGuest(109).status).toBe("stopped");
  });

  it("reports a write whose outcome is unknown once, never re-sending it", async () => {
    const client = clientFor(sim, { timeoutMs: 400 });
    try {
      const h = await harness({}, client);
      sim.injectFault({ method: "POST", path: "/nodes/pve1/qemu/115/status/stop", kind: "hang", times: 1 });
      const { posts, results } = await run(h, qemu(115), "stop");
      expect(posts.map((request) => request.path)).toEqual(["/nodes/pve1/qemu/115/status/stop"]);
      expect(results).toEqual([expect.objectContaining({ action: "stop", status: "error", error: expect.stringContaining("outcome unknown") })]);
    } finally {
      await client.close();
    }
  });

  it("reports an unreachable PVE as one error result", async () => {
    const client = clientFor(sim, { urls: ["https://127.0.0.1:1"] });
    try {
      const h = new RunnerHarness(client);
      // The inventory comes from the reachable simulator; the command goes to a host that is down.
      await h.poll(api);
      h.runner.handle(qemu(102), Buffer.from("snapshot"), { retained: false });
      await h.runner.idle();
      expect(h.results.map((entry) => entry.result)).toEqual([expect.objectContaining({ status: "error", error: expect.stringMatching(/^PVE unreachable: /) })]);
    } finally {
      await client.close();
    }
  });
});

describe("node commands", () => {
  it("are refused without node_power, with no request", async () => {
    const h = await harness();
    const { posts, results } = await run(h, { kind: "node", node: "pve4" }, "reboot");
    expect(posts).toEqual([]);
    expect(results).toEqual([expect.objectContaining({ status: "error", error: expect.stringContaining("commands.node_power") })]);
  });

  it("stopall and startall follow their task; reboot answers ok with no task", async () => {
    const h = await harness({ node_power: true });
    const node: DeviceRef = { kind: "node", node: "pve4" };
    const stopall = await run(h, node, '{"action": "stopall", "timeout": 300}');
    expect(stopall.posts).toEqual([{ method: "POST", path: "/nodes/pve4/stopall", body: { timeout: "300" }, status: 200 }]);
    expectStartedThenOk(stopall.results, "stopall");
    expect(simGuest(401).status).toBe("stopped");

    const startall = await run(h, node, "startall");
    expect(startall.posts).toEqual([{ method: "POST", path: "/nodes/pve4/startall", body: {}, status: 200 }]);
    expectStartedThenOk(startall.results, "startall");

    const reboot = await run(h, node, '{"action": "reboot", "id": "n1"}');
    expect(reboot.posts).toEqual([{ method: "POST", path: "/nodes/pve4/status", body: { command: "reboot" }, status: 200 }]);
    expect(reboot.results).toEqual([expect.objectContaining({ id: "n1", action: "reboot", status: "ok", upid: null })]);
  });
});
