import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../e2e/harness.js";
import { infos, storyLines, waitInfo } from "./helpers.js";

describe("first host down at start", () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it("starts through the second host without losing the first cycle", async () => {
    h = await startHarness({ sim: { hosts: 3 }, captureLogs: true, beforeBridge: (sim) => sim.setHostDown(0, true) });
    const info = await waitInfo(h, (i) => i.last_poll_result === "ok", 0);
    expect(info.connected_host).toBe(h.sim.urls[1]);
    expect(info.consecutive_failures).toBe(0);
    expect(info.hosts[0]).toMatchObject({ origin: h.sim.urls[0], state: "down" });
    expect(info.hosts[0]!.lastError).toBeTruthy();
    // The very first poll was answered by host 1: the bridge never logged PVE as unreachable.
    expect(storyLines(h).map((l) => l.msg).join("\n")).not.toMatch(/not reachable at start|poll failed/);
    // Host 0 was asked once per request at most, and host 1 answered every one of them.
    const byHost1 = h.sim.requests.filter((r) => r.host === 1);
    expect(byHost1.some((r) => r.path === "/cluster/resources" && r.status === 200)).toBe(true);
    expect(h.sim.requests.filter((r) => r.host === 2)).toEqual([]);
  });
});

describe("hosts dying while running, then all of them for many cycles", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { hosts: 3 }, captureLogs: true, tuning: { pve: { hostRetryBaseMs: 300 } } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("a host dying mid-run: the next host answers the same request, no cycle fails", async () => {
    await waitInfo(h, (i) => i.connected_host === h.sim.urls[0] && i.last_poll_result === "ok", 0);
    const since = h.observer.messages.length;
    await h.sim.setHostDown(0, true);
    const switched = await waitInfo(h, (i) => i.connected_host === h.sim.urls[1], since);
    expect(switched.last_poll_result).toBe("ok");
    // One more whole poll with the first host still down (its put-aside period ends meanwhile).
    await h.observer.waitForPolls(h.base);
    const seen = infos(h, since);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const info of seen) {
      expect(info.last_poll_result).toBe("ok");
      expect(info.consecutive_failures).toBe(0);
    }
    expect(h.observer.last(`${h.base}/node/pve1/availability`)).toBe("online");
    expect(h.observer.last(`${h.base}/qemu/100/availability`)).toBe("online");

    // Back: the first host is preferred again once its put-aside period ends.
    const backSince = h.observer.messages.length;
    await h.sim.setHostDown(0, false);
    await waitInfo(h, (i) => i.connected_host === h.sim.urls[0] && i.hosts[0]!.state === "ok", backSince, 8000);
  });

  it("all hosts down for many cycles: devices offline, bridge/info says why, one log line per state change; back within one interval", async () => {
    const since = h.observer.messages.length;
    const logsBefore = h.logs.length;
    await Promise.all([0, 1, 2].map((i) => h.sim.setHostDown(i, true)));
    const failing = await waitInfo(h, (i) => i.consecutive_failures >= 2, since);
    expect(failing.last_poll_result).toBe("error");
    expect(failing.last_error).toMatch(/unreachable|not reachable|could be reached/i);
    for (const url of h.sim.urls) expect(failing.last_error).toContain(url);
    expect(failing.hosts.every((host) => host.state === "down")).toBe(true);
    await h.observer.waitFor(`${h.base}/qemu/100/availability`, (p) => p === "offline", 5000, since);
    expect(h.observer.last(`${h.base}/node/pve1/availability`)).toBe("offline");
    expect(h.observer.last(`${h.base}/storage/pve1/local/availability`)).toBe("offline");
    // The bridge itself stays online: it is PVE that is missing, and bridge/info says so.
    expect(h.observer.last(`${h.base}/bridge/state`)).toBe("online");

    const linesAtSecondFailure = storyLines(h, logsBefore).length;
    const outageStart = h.observer.messages.length;
    // Four more failed cycles, run now rather than waited for.
    for (let i = 0; i < 4; i++) await h.bridge.pollNow();
    await waitInfo(h, (i) => i.consecutive_failures >= 6, outageStart, 5000);
    // Four more failed cycles (and several host retry periods) added no line at info or above.
    expect(storyLines(h, logsBefore).length).toBe(linesAtSecondFailure);
    const outage = storyLines(h, logsBefore).map((l) => l.msg);
    expect(outage.filter((m) => /poll failed/.test(m))).toHaveLength(1);
    expect(outage.filter((m) => /every device reported offline/.test(m))).toHaveLength(1);
    expect(outage.length).toBeLessThanOrEqual(5);
    // Still alive: it answers the refresh request with the reason.
    const refreshSince = h.observer.messages.length;
    await h.observer.publish(`${h.base}/bridge/request/refresh`, '{"id":"r1"}');
    const answer = await h.observer.waitForJson<{ id: string; status: string; error?: string }>(`${h.base}/bridge/response/refresh`, () => true, 10_000, refreshSince);
    expect(answer).toMatchObject({ id: "r1", status: "error" });
    expect(answer.error).toMatch(/unreachable|not reachable|could be reached/i);

    const backSince = h.observer.messages.length;
    const logsAtBack = h.logs.length;
    await Promise.all([0, 1, 2].map((i) => h.sim.setHostDown(i, false)));
    const backAt = Date.now();
    const back = await waitInfo(h, (i) => i.last_poll_result === "ok", backSince, 5000);
    // Recovery within one interval (1 s) plus the time of one poll: no waiting out host retry periods.
    expect(Date.now() - backAt).toBeLessThan(2500);
    expect(back.consecutive_failures).toBe(0);
    // Whichever host's put-aside period ends first answers; the first is preferred again after its own.
    expect(h.sim.urls).toContain(back.connected_host);
    await h.observer.waitFor(`${h.base}/qemu/100/availability`, (p) => p === "online", 3000, backSince);
    await h.observer.waitFor(`${h.base}/node/pve1/availability`, (p) => p === "online", 3000, backSince);
    const recovery = storyLines(h, logsAtBack).map((l) => l.msg);
    expect(recovery.filter((m) => /answers again/.test(m))).toHaveLength(1);
  });
});
