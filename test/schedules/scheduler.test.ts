import { Writable } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CommandRunner } from "../../src/commands/runner.js";
import { ConfigSchema, type Config } from "../../src/config/schema.js";
import { Poller } from "../../src/inventory/poller.js";
import { createLogger } from "../../src/log.js";
import type { PveClient } from "../../src/pve/client.js";
import { followTask } from "../../src/pve/tasks.js";
import { Scheduler } from "../../src/schedules/scheduler.js";
import type { ScheduleState } from "../../src/schedules/state.js";
import { PveSimulator } from "../../src/sim/index.js";
import type { CommandResult } from "../../src/state/types.js";
import { clientFor } from "../commands/harness.js";

/*
 * The scheduler over the real command runner and PVE client, against the simulator. Time is the
 * test's: runs are triggered directly (no cron timers) on a clock that moves an hour per run.
 */

let sim: PveSimulator;
let api: PveClient;
const scheduler: { current: Scheduler | null; runner: CommandRunner | null } = { current: null, runner: null };

beforeAll(async () => {
  sim = await PveSimulator.start({
    authFailureDelayMs: 20,
    taskDurationMs: 60,
    nodes: ["pve1", "pve2"],
    guests: [
      { vmid: 100, kind: "qemu", node: "pve1", status: "running", tags: ["prod"] },
      { vmid: 200, kind: "lxc", node: "pve2", status: "running", tags: ["prod"] },
      { vmid: 101, kind: "qemu", node: "pve1", status: "stopped", tags: ["prod"] },
      { vmid: 102, kind: "qemu", node: "pve2", status: "running" },
      { vmid: 103, kind: "qemu", node: "pve2", status: "running", tags: ["broken"], snapshotFeature: false },
      { vmid: 9000, kind: "qemu", node: "pve1", template: true, tags: ["prod"] },
    ],
  });
  api = clientFor(sim);
});
afterEach(async () => {
  scheduler.current?.stop();
  scheduler.runner?.stop();
  await scheduler.current?.idle();
});
afterAll(async () => {
  await api?.close();
  await sim?.stop();
});

function configWith(schedules: unknown[], commands: Record<string, unknown> = {}): Config {
  const raw = ConfigSchema.parse({ proxmox: { hosts: "127.0.0.1", user: "pve2mqtt@pve", password: "secret-password" }, commands, schedules });
  return { ...raw, proxmox: { ...raw.proxmox, hosts: [], fingerprint: [], user: "pve2mqtt@pve", auth: { kind: "password", password: "secret-password" } } };
}

interface Setup {
  scheduler: Scheduler;
  results: Array<{ device: string; result: CommandResult }>;
  published: Map<string, string>;
  logs: string[];
  clock: { now: number };
}

async function setup(config: Config, retained = new Map<string, Buffer>()): Promise<Setup> {
  const logs: string[] = [];
  const log = createLogger({ level: "info", destination: new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } }) });
  const clock = { now: Date.parse("2024-05-01T02:00:00Z") };
  const now = () => clock.now;
  const poller = new Poller(api, { filter: config.filter, log, now });
  await poller.poll();
  const results: Setup["results"] = [];
  const runner = new CommandRunner({
    api,
    config,
    log,
    now,
    locate: (device) => {
      const guest = poller.current?.inventory.guests.find((g) => device.kind === g.kind && "vmid" in device && g.vmid === device.vmid);
      return guest ? { node: guest.node } : null;
    },
    relocate: async () => null,
    backupStorages: () => [],
    refresh: async () => null,
    publishResult: (device, result) => results.push({ device: `${device.kind}/${"vmid" in device ? device.vmid : ""}`, result }),
  });
  const published = new Map<string, string>();
  const instance = new Scheduler({
    config,
    log,
    now,
    inventory: () => poller.current?.inventory ?? null,
    execute: (device, request) => runner.execute(device, request),
    snapshots: async (guest) => (await api.snapshots(guest.kind, guest.node, guest.vmid)).rows.map((row) => row.name),
    publish: async (topic, payload) => void published.set(topic, payload),
    clear: async (topic) => void published.set(topic, ""),
    discovery: null,
    timers: false,
  });
  scheduler.current = instance;
  scheduler.runner = runner;
  await instance.start(retained);
  return { scheduler: instance, results, published, logs, clock };
}

const state = (s: Setup, name: string) => JSON.parse(s.published.get(`pve2mqtt/schedule/${name}`)!) as ScheduleState;
const snapshotsOf = (vmid: number) => sim.guest(vmid)!.snapshots;

async function takeSnapshot(kind: "qemu" | "lxc", node: string, vmid: number, snapname: string): Promise<void> {
  const upid = await api.snapshot(kind, node, vmid, { snapname });
  await followTask(api, upid);
}

describe("a snapshot schedule with keep: 3", () => {
  it("run five times keeps the 3 newest of its own snapshots on each target, and nothing else changes", async () => {
    await takeSnapshot("qemu", "pve1", 100, "before_upgrade");
    await takeSnapshot("qemu", "pve1", 100, "auto_nightly_db_20200101000000");
    await takeSnapshot("lxc", "pve2", 200, "auto_nightly_20200101000000");
    const s = await setup(configWith([{ name: "nightly", cron: "0 2 * * *", action: "snapshot", targets: { tags: ["prod"] }, keep: 3, vmstate: true }]));
    expect(state(s, "nightly")).toMatchObject({ enabled: true, next_run: "2024-05-02T02:00:00.000Z", last_run: null, last_result: null, guests_ok: null });

    const names: string[] = [];
    for (let run = 0; run < 5; run++) {
      s.clock.now += 3600_000;
      names.push(`auto_nightly_${new Date(s.clock.now).toISOString().slice(0, 19).replace(/[-:T]/g, "")}`);
      const last = await s.scheduler.runNow("nightly");
      expect(last).toMatchObject({ result: "ok", guestsOk: 3, guestsFailed: 0, error: null });
    }
    const newest = names.slice(-3);
    expect(snapshotsOf(100)).toEqual(["before_upgrade", "auto_nightly_db_20200101000000", ...newest]);
    expect(snapshotsOf(200)).toEqual(newest);
    expect(snapshotsOf(101)).toEqual(newest);
    expect(snapshotsOf(9000)).toEqual([]);
    expect(snapshotsOf(102)).toEqual([]);

    // every result carries the schedule's id; vmstate went to the VMs only
    expect(new Set(s.results.map((r) => r.result.id))).toEqual(new Set(["schedule:nightly"]));
    const deletes = s.results.filter((r) => r.result.action === "snapshot_delete" && r.result.status === "ok").map((r) => r.device);
    // 200 had one of its snapshots already: 6 made, 3 deleted; the VMs 5 made, 2 deleted
    expect(deletes.sort()).toEqual(["lxc/200", "lxc/200", "lxc/200", "qemu/100", "qemu/100", "qemu/101", "qemu/101"]);
    const posts = sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/snapshot"));
    expect(posts.find((r) => r.path === "/nodes/pve2/lxc/200/snapshot" && r.body.snapname === names[0])!.body).toEqual({ snapname: names[0], description: "pve2mqtt schedule nightly" });
    expect(posts.find((r) => r.path === "/nodes/pve1/qemu/100/snapshot" && r.body.snapname === names[0])!.body).toEqual({ snapname: names[0], description: "pve2mqtt schedule nightly", vmstate: "1" });
    expect(state(s, "nightly")).toMatchObject({ last_run: new Date(s.clock.now).toISOString(), last_result: "ok", guests_ok: 3, guests_failed: 0, last_error: null });
  });

  it("a failed snapshot deletes nothing on that guest and makes the run partial", async () => {
    await takeSnapshot("qemu", "pve2", 102, "auto_keep1_20200101000000");
    await takeSnapshot("qemu", "pve2", 102, "auto_keep1_20200102000000");
    sim.updateGuest(102, { snapshotFeature: false });
    await takeSnapshot("lxc", "pve2", 200, "auto_keep1_20200101000000");
    const s = await setup(configWith([{ name: "keep1", cron: "0 2 * * *", action: "snapshot", targets: { vmids: [102, 200] }, keep: 1 }]));
    s.clock.now += 86_400_000;
    const last = await s.scheduler.runNow("keep1");
    expect(last).toMatchObject({ result: "partial", guestsOk: 1, guestsFailed: 1, error: "qemu/102: snapshot feature is not available" });
    expect(snapshotsOf(102)).toEqual(["auto_keep1_20200101000000", "auto_keep1_20200102000000"]);
    expect(snapshotsOf(200).filter((name) => name.startsWith("auto_keep1_"))).toEqual(["auto_keep1_20240502020000"]);
    expect(s.results.filter((r) => r.device === "qemu/102").map((r) => [r.result.action, r.result.status])).toEqual([["snapshot", "started"], ["snapshot", "error"]]);
    expect(state(s, "keep1")).toMatchObject({ last_result: "partial", guests_ok: 1, guests_failed: 1, last_error: "qemu/102: snapshot feature is not available" });
    sim.updateGuest(102, { snapshotFeature: true });
  });
});

describe("runs", () => {
  it("skip a run while the previous one is still going, with a log line", async () => {
    const s = await setup(configWith([{ name: "slow", cron: "0 2 * * *", action: "snapshot", targets: { vmids: [102] } }]));
    const first = s.scheduler.runNow("slow", "cron");
    expect(await s.scheduler.runNow("slow", "cron")).toBeNull();
    expect(s.logs.some((line) => line.includes("schedule slow: cron skipped: the previous run is still going"))).toBe(true);
    expect(await first).toMatchObject({ result: "ok", guestsOk: 1 });
    s.clock.now += 1000;
    expect(await s.scheduler.runNow("slow")).toMatchObject({ result: "ok" });
  });

  it("skip guests that are not running for an action that needs them running, and go through the allow list", async () => {
    const s = await setup(configWith([{ name: "reboot_prod", cron: "0 2 * * *", action: "reboot", targets: { tags: ["prod"] } }], { allow: ["snapshot"] }));
    const before = sim.requests.length;
    const last = await s.scheduler.runNow("reboot_prod");
    // 101 is stopped: skipped; 100 and 200 refused by commands.allow, with no PVE request
    expect(last).toMatchObject({ result: "error", guestsOk: 0, guestsFailed: 2 });
    expect(last!.error).toMatch(/^qemu\/100: action 'reboot' is not allowed/);
    expect(sim.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
    expect(s.logs.some((line) => line.includes("qemu/101 skipped for reboot: it is not running (stopped)"))).toBe(true);
    expect(s.logs.some((line) => line.includes("schedule reboot_prod: reboot is not in commands.allow"))).toBe(true);
  });

  it("with no guest matching end ok with nothing done", async () => {
    const s = await setup(configWith([{ name: "none", cron: "0 2 * * *", action: "snapshot", targets: { tags: ["nobody"] } }]));
    expect(await s.scheduler.runNow("none")).toMatchObject({ result: "ok", guestsOk: 0, guestsFailed: 0 });
    expect(s.logs.some((line) => line.includes("no guest matches its targets now"))).toBe(true);
  });
});

describe("enable, disable, run now and restart", () => {
  it("a disabled schedule has no next run, and stays disabled when restarted from its retained state", async () => {
    const config = configWith([{ name: "nightly", cron: "30 1 * * *", timezone: "Europe/Paris", action: "snapshot", targets: { vmids: [102] } }]);
    const s = await setup(config);
    expect(state(s, "nightly").next_run).toBe("2024-05-01T23:30:00.000Z");
    expect(s.scheduler.onMessage("pve2mqtt/schedule/nightly/set", Buffer.from('{"enabled": false}'), false)).toBe(true);
    expect(state(s, "nightly")).toMatchObject({ enabled: false, next_run: null });
    expect(JSON.parse(s.published.get("pve2mqtt/schedule/nightly/result")!)).toEqual({ id: null, action: "disable", status: "ok" });

    const retained = new Map([["pve2mqtt/schedule/nightly", Buffer.from(s.published.get("pve2mqtt/schedule/nightly")!)]]);
    s.scheduler.stop();
    const again = await setup(config, retained);
    expect(state(again, "nightly")).toMatchObject({ enabled: false, next_run: null });
    again.scheduler.onMessage("pve2mqtt/schedule/nightly/set", Buffer.from("enable"), false);
    expect(state(again, "nightly")).toMatchObject({ enabled: true, next_run: "2024-05-01T23:30:00.000Z" });
  });

  it("runs now on request, ignores retained requests, answers errors, clears schedules no longer configured", async () => {
    const retained = new Map([["pve2mqtt/schedule/gone", Buffer.from('{"enabled": true}')]]);
    const s = await setup(configWith([{ name: "manual", cron: "0 2 * * *", action: "snapshot", targets: { vmids: [102] } }]), retained);
    expect(s.published.get("pve2mqtt/schedule/gone")).toBe("");
    s.scheduler.onMessage("pve2mqtt/schedule/manual/set", Buffer.from("run"), true);
    expect(s.logs.some((line) => line.includes("ignored a retained message on pve2mqtt/schedule/manual/set"))).toBe(true);
    expect(s.published.has("pve2mqtt/schedule/manual/result")).toBe(false);

    s.scheduler.onMessage("pve2mqtt/schedule/manual/set", Buffer.from('{"action": "run", "id": "r1"}'), false);
    await s.scheduler.idle();
    await expect.poll(() => JSON.parse(s.published.get("pve2mqtt/schedule/manual/result")!)).toMatchObject({ id: "r1", action: "run", status: "ok", result: "ok", guests_ok: 1 });
    expect(state(s, "manual")).toMatchObject({ last_result: "ok", guests_ok: 1 });

    s.scheduler.onMessage("pve2mqtt/schedule/nope/set", Buffer.from("run"), false);
    expect(JSON.parse(s.published.get("pve2mqtt/schedule/nope/result")!)).toMatchObject({ status: "error", error: "unknown schedule 'nope' (configured: manual)" });
    s.scheduler.onMessage("pve2mqtt/schedule/manual/set", Buffer.from('{"enabled": 0}'), false);
    expect(JSON.parse(s.published.get("pve2mqtt/schedule/manual/result")!)).toMatchObject({ status: "error", error: "'enabled' must be true or false, got '0'" });
    expect(s.scheduler.onMessage("pve2mqtt/qemu/100/set", Buffer.from("run"), false)).toBe(false);
  });
});
