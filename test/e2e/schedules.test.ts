import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.js";

/*
 * Schedules through the whole daemon: simulator, broker, bridge. The bridge's clock runs an hour
 * ahead per "run now" (snapshot names carry it); the two every-second schedules use real cron timers.
 */

type State = { name: string; enabled: boolean; next_run: string | null; last_run: string | null; last_result: string | null; guests_ok: number | null; guests_failed: number | null; last_error: string | null };
type Result = { id: unknown; action: unknown; status: string; error?: string | null; upid?: string | null };

const clock = { offset: 0 };
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    sim: { taskDurationMs: 100 },
    now: () => Date.now() + clock.offset,
    captureLogs: true,
    logLevel: "info",
    config: {
      commands: { allow: ["start", "snapshot", "snapshot_delete", "rollback"] },
      schedules: [
        { name: "nightly", cron: "0 2 * * *", action: "snapshot", targets: { tags: ["smarthome"] }, keep: 2 },
        { name: "ticker", cron: "* * * * * *", action: "start", targets: { vmids: [200] } },
        { name: "paused", cron: "* * * * * *", action: "start", targets: { vmids: [201] } },
      ],
    },
  });
});
afterAll(async () => {
  await h?.stop();
});

const topic = (name: string) => `${h.base}/schedule/${name}`;

/** Waits for `count` new runs of a schedule: last_run values it did not have at `since`. */
async function runsOf(name: string, count: number, since: number): Promise<void> {
  const before = new Set(h.observer.on(topic(name)).map((m) => (JSON.parse(m.payload) as State).last_run));
  const seen = new Set<string>();
  await h.observer.waitForJson<State>(topic(name), (s) => s.last_run !== null && !before.has(s.last_run) && seen.add(s.last_run).size >= count, 15_000, since);
}

describe("a schedule through MQTT and Home Assistant", () => {
  it("publishes the schedule device's discovery and its retained state", async () => {
    const state = await h.observer.waitForJson<State>(topic("nightly"));
    expect(state).toMatchObject({ name: "nightly", cron: "0 2 * * *", action: "snapshot", enabled: true, last_run: null, last_result: null });
    expect(Date.parse(state.next_run!)).toBeGreaterThan(Date.now());
    expect(h.observer.messages.find((m) => m.topic === topic("nightly"))!.retain).toBe(true);
    const button = JSON.parse(await h.observer.waitFor("homeassistant/button/pve2mqtt_homelab/schedule_nightly_run/config")) as Record<string, unknown>;
    expect(button).toMatchObject({ command_topic: `${h.base}/schedule/nightly/set`, payload_press: "run" });
    await h.observer.waitFor("homeassistant/switch/pve2mqtt_homelab/schedule_nightly_enabled/config");
  });

  it("the run-now button snapshots the targets, results carry the schedule's id, retention keeps the 2 newest", async () => {
    const manual = await command("lxc/202", '{"action": "snapshot", "name": "manual_one"}');
    expect(manual.at(-1)!.status).toBe("ok");
    const names: string[] = [];
    for (let run = 0; run < 3; run++) {
      clock.offset += 3600_000;
      const since = h.observer.messages.length;
      await h.observer.publish(`${topic("nightly")}/set`, "run");
      const answer = await h.observer.waitForJson<Result & { result: string; guests_ok: number }>(`${topic("nightly")}/result`, (r) => r.status !== "started", 15_000, since);
      expect(answer).toMatchObject({ action: "run", status: "ok", result: "ok", guests_ok: 2 });
      const results = h.observer.messages.slice(since).filter((m) => m.topic === `${h.base}/qemu/100/result`).map((m) => JSON.parse(m.payload) as Result);
      expect(results.length).toBeGreaterThan(0);
      for (const result of results) expect(result.id).toBe("schedule:nightly");
      names.push(h.sim.guest(100)!.snapshots.at(-1)!);
    }
    for (const name of names) expect(name).toMatch(/^auto_nightly_\d{14}$/);
    expect(new Set(names).size).toBe(3);
    expect(h.sim.guest(100)!.snapshots).toEqual(names.slice(-2));
    expect(h.sim.guest(202)!.snapshots).toEqual(["manual_one", ...names.slice(-2)]);
    const state = await h.observer.waitForJson<State>(topic("nightly"), (s) => s.last_result === "ok");
    expect(state).toMatchObject({ guests_ok: 2, guests_failed: 0, last_error: null });
  });

  it("a disabled schedule does not run while another one does, and stays disabled after a restart", async () => {
    const since = h.observer.messages.length;
    await h.observer.publish(`${topic("paused")}/set`, '{"enabled": false}');
    await h.observer.waitForJson<Result>(`${topic("paused")}/result`, (r) => r.action === "disable" && r.status === "ok", 5000, since);
    const disabled = await h.observer.waitForJson<State>(topic("paused"), (s) => !s.enabled, 5000, since);
    expect(disabled.next_run).toBeNull();
    const afterDisable = h.observer.messages.length;
    await runsOf("ticker", 2, afterDisable);
    expect(h.observer.json<State>(topic("paused")).last_run).toBe(disabled.last_run);

    await h.restartBridge();
    const afterRestart = h.observer.messages.length;
    await runsOf("ticker", 2, afterRestart);
    const restored = h.observer.json<State>(topic("paused"));
    expect(restored).toMatchObject({ enabled: false, next_run: null, last_run: disabled.last_run });
  });
});

/** Sends a guest command and waits for its final result. */
async function command(device: string, payload: string): Promise<Result[]> {
  const since = h.observer.messages.length;
  await h.observer.publish(`${h.base}/${device}/set`, payload);
  await h.observer.waitForJson<Result>(`${h.base}/${device}/result`, (r) => r.status !== "started", 10_000, since);
  return h.observer.messages.slice(since).filter((m) => m.topic === `${h.base}/${device}/result`).map((m) => JSON.parse(m.payload) as Result);
}

describe("snapshot_delete and rollback over MQTT", () => {
  it("deletes an existing snapshot; refuses a missing one, a bad name and a bad start value with no PVE write", async () => {
    await command("lxc/201", '{"action": "snapshot", "name": "to_delete"}');
    await command("lxc/201", '{"action": "snapshot", "name": "base"}');
    const before = h.sim.requests.length;
    const deleted = await command("lxc/201", '{"action": "snapshot_delete", "name": "to_delete", "id": "del"}');
    expect(deleted.map((r) => r.status)).toEqual(["started", "ok"]);
    expect(deleted[1]!.id).toBe("del");
    expect(h.sim.requests.slice(before).filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual(["/nodes/pve2/lxc/201/snapshot/to_delete"]);
    expect(h.sim.guest(201)!.snapshots).toEqual(["base"]);

    for (const [payload, error] of [
      ['{"action": "snapshot_delete", "name": "to_delete"}', "snapshot 'to_delete' does not exist on lxc/201 (its snapshots: base)"],
      ['{"action": "snapshot_delete", "name": "x/y"}', /invalid snapshot name 'x\/y'/],
      ['{"action": "rollback", "name": "base", "start": 2}', /invalid 'start' '2'/],
    ] as const) {
      const writesBefore = h.sim.requests.filter((r) => r.method !== "GET").length;
      const results = await command("lxc/201", payload);
      expect(results).toEqual([expect.objectContaining({ status: "error", error: typeof error === "string" ? error : expect.stringMatching(error) })]);
      expect(h.sim.requests.filter((r) => r.method !== "GET").length).toBe(writesBefore);
    }
  });

  it("rolls back (the container stops), then with start (it runs again), and its state follows", async () => {
    const since = h.observer.messages.length;
    const plain = await command("lxc/201", '{"action": "rollback", "name": "base"}');
    expect(plain.map((r) => r.status)).toEqual(["started", "ok"]);
    expect(plain[1]!.upid).toContain(":vzrollback:201:");
    await h.observer.waitForJson(`${h.base}/lxc/201`, (s: { status: string }) => s.status === "stopped", 5000, since);
    const next = h.observer.messages.length;
    const started = await command("lxc/201", '{"action": "rollback", "name": "base", "start": true}');
    expect(started.map((r) => r.status)).toEqual(["started", "ok"]);
    await h.observer.waitForJson(`${h.base}/lxc/201`, (s: { status: string }) => s.status === "running", 5000, next);
  });
});
