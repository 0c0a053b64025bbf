import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, sleep, type Harness } from "../e2e/harness.js";
import { infos, waitInfo } from "./helpers.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    captureLogs: true,
    config: { proxmox: { timeout: 2 } },
    tuning: { pve: { retryBaseMs: 40 } },
  });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.sim.clearFaults();
});

const RESOURCES = "/cluster/resources";

/** Guest 100's state and availability topics received after `since`. */
const guestMessages = (since: number) => h.observer.messages.slice(since).filter((m) => m.topic.startsWith(`${h.base}/qemu/100`));

describe("slow PVE, 5xx bursts, 429", () => {
  it("retries 503/502 bursts on reads with growing backoff: the cycle ends late but whole", async () => {
    const since = h.observer.messages.length;
    h.sim.clearRequests();
    h.sim.injectFault({ path: RESOURCES, kind: "status", status: 503, times: 2 });
    h.sim.injectFault({ path: RESOURCES, kind: "status", status: 502, reason: "Bad Gateway", times: 1 });
    const deadline = Date.now() + 5000;
    while (!h.sim.requests.some((r) => r.path === RESOURCES && r.status === 200) && Date.now() < deadline) await sleep(20);
    await waitInfo(h, () => true, h.observer.messages.length);
    const attempts = h.sim.requests.filter((r) => r.path === RESOURCES);
    expect(attempts.slice(0, 4).map((r) => r.status)).toEqual([503, 503, 502, 200]);
    // Backoff doubles from the base (40 ms): each wait is at least the one before it.
    const gaps = attempts.slice(1, 4).map((r, i) => r.at - attempts[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(39);
    expect(gaps[1]).toBeGreaterThanOrEqual(79);
    expect(gaps[2]).toBeGreaterThanOrEqual(159);
    for (const info of infos(h, since)) {
      expect(info.last_poll_result).toBe("ok");
      expect(info.consecutive_failures).toBe(0);
    }
    expect(guestMessages(since).filter((m) => m.payload === "offline")).toEqual([]);
  });

  it("honours 429 and gives up after 5 attempts in all, keeping the last state", async () => {
    const since = h.observer.messages.length;
    h.sim.clearRequests();
    h.sim.injectFault({ path: RESOURCES, kind: "status", status: 429, reason: "Too Many Requests", times: 5 });
    void h.bridge.pollNow();
    const failed = await waitInfo(h, (i) => i.last_poll_result === "error", since);
    expect(failed.last_error).toMatch(/429|Too Many Requests/);
    expect(failed.consecutive_failures).toBe(1);
    expect(h.sim.requests.filter((r) => r.path === RESOURCES && r.status === 429)).toHaveLength(5);
    const ok = await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    expect(ok.consecutive_failures).toBe(0);
    // One failed poll is a blip: nothing went offline.
    expect(guestMessages(since).filter((m) => m.payload === "offline")).toEqual([]);
  });

  it("answers near the timeout: cycles end late, whole, and never overlap", async () => {
    const since = h.observer.messages.length;
    h.sim.clearRequests();
    // 1.7 s per /cluster/resources against a 2 s timeout and a 1 s interval, two cycles in a row.
    h.sim.injectFault({ path: RESOURCES, kind: "slow", delayMs: 1700, times: 2 });
    let maxInFlight = 0;
    const deadline = Date.now() + 10_000;
    while (h.sim.requests.filter((r) => r.path === RESOURCES && r.status === 200).length < 2 && Date.now() < deadline) {
      const inFlight = h.sim.requests.filter((r) => r.path === RESOURCES && r.status === 0).length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const cycleReads = h.sim.requests.filter((r) => r.status === 0).length;
      // While a slow /cluster/resources is pending, no other poll has started a second one.
      expect(cycleReads).toBeLessThanOrEqual(1);
      await sleep(10);
    }
    expect(maxInFlight).toBe(1);
    const deadlineInfo = Date.now() + 5000;
    while (infos(h, since).filter((i) => (i as unknown as { last_poll_duration: number }).last_poll_duration >= 1.7).length < 2 && Date.now() < deadlineInfo) await sleep(20);
    const seen = infos(h, since);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const info of seen) expect(info.last_poll_result).toBe("ok");
    const durations = seen.map((i) => (i as unknown as { last_poll_duration: number }).last_poll_duration);
    expect(Math.max(...durations)).toBeGreaterThanOrEqual(1.7);
    // Each slow read was answered once: no retry, no second host, no overlap.
    expect(h.sim.requests.filter((r) => r.path === RESOURCES && r.status === 200).length).toBeGreaterThanOrEqual(2);
  });
});
