import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, sleep, type Harness } from "../e2e/harness.js";
import { infos, logLines, waitInfo, WARN } from "./helpers.js";

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

/** Waits until `cycles` complete polls happened after message index `since`; returns their infos. */
async function cyclesAfter(since: number, cycles: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = infos(h, since);
    const polls = new Set(seen.map((i) => (i as unknown as { last_poll: string }).last_poll));
    if (polls.size >= cycles) return seen;
    if (Date.now() > deadline) throw new Error(`only ${polls.size} polls after ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Guest 100's state and availability topics received after `since`. */
const guestMessages = (since: number) => h.observer.messages.slice(since).filter((m) => m.topic.startsWith(`${h.base}/qemu/100`));

describe("slow PVE, 5xx bursts, 429", () => {
  it("retries 503/502 bursts on reads with growing backoff: the cycle ends late but whole", async () => {
    const since = h.observer.messages.length;
    h.sim.clearRequests();
    h.sim.injectFault({ path: RESOURCES, kind: "status", status: 503, times: 2 });
    h.sim.injectFault({ path: RESOURCES, kind: "status", status: 502, reason: "Bad Gateway", times: 1 });
    await sleep(2500);
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
    // 1.7 s per /cluster/resources against a 2 s timeout and a 1 s interval, three cycles in a row.
    h.sim.injectFault({ path: RESOURCES, kind: "slow", delayMs: 1700, times: 3 });
    let maxInFlight = 0;
    const deadline = Date.now() + 6500;
    while (Date.now() < deadline) {
      const inFlight = h.sim.requests.filter((r) => r.path === RESOURCES && r.status === 0).length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const cycleReads = h.sim.requests.filter((r) => r.status === 0).length;
      // While a slow /cluster/resources is pending, no other poll has started a second one.
      expect(cycleReads).toBeLessThanOrEqual(1);
      await sleep(10);
    }
    expect(maxInFlight).toBe(1);
    const seen = infos(h, since);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const info of seen) expect(info.last_poll_result).toBe("ok");
    const durations = seen.map((i) => (i as unknown as { last_poll_duration: number }).last_poll_duration);
    expect(Math.max(...durations)).toBeGreaterThanOrEqual(1.7);
    // Each slow read was answered once: no retry, no second host, no overlap.
    expect(h.sim.requests.filter((r) => r.path === RESOURCES && r.status === 200).length).toBeGreaterThanOrEqual(3);
  });
});

describe("bad answers: that part is skipped, the last good state stays", () => {
  it("a field with a new type: the row is skipped with one log line naming endpoint and field, the guest keeps its state", async () => {
    const last = await h.observer.waitForJson(`${h.base}/qemu/100`);
    const logsBefore = h.logs.length;
    const since = h.observer.messages.length;
    h.sim.injectFault({
      path: RESOURCES,
      kind: "rewrite",
      times: 3,
      rewrite: (data) => (data as Array<Record<string, unknown>>).map((row) => (row.vmid === 100 ? { ...row, vmid: "one hundred" } : row)),
    });
    await cyclesAfter(since, 4);
    const warnings = logLines(h, logsBefore).filter((l) => l.level >= WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain("/cluster/resources");
    expect(warnings[0]!.msg).toContain("vmid");
    for (const info of infos(h, since)) expect(info.last_poll_result).toBe("ok");
    // Not vanished (the answer was not complete for it) and not changed: the last good state stays.
    expect(guestMessages(since).filter((m) => m.payload === "offline")).toEqual([]);
    expect(h.observer.json(`${h.base}/qemu/100`)).toMatchObject({ vmid: 100, name: last.name, node: last.node });
    // Other guests went on being read.
    expect(h.observer.last(`${h.base}/qemu/101/availability`)).toBe("online");
  });

  it("an unknown guest type is left out without disturbing the rest", async () => {
    const since = h.observer.messages.length;
    h.sim.injectFault({
      path: RESOURCES,
      kind: "rewrite",
      times: 2,
      rewrite: (data) => [...(data as unknown[]), { id: "openvz/300", type: "openvz", vmid: 300, node: "pve1", status: "running", name: "legacy" }],
    });
    await cyclesAfter(since, 3);
    expect(h.observer.topics(`${h.base}/openvz`)).toEqual([]);
    expect(h.observer.messages.slice(since).filter((m) => m.topic.includes("300"))).toEqual([]);
    for (const info of infos(h, since)) expect(info.last_poll_result).toBe("ok");
  });

  it.each([
    { kind: "malformed" as const, expected: /JSON|parse|malformed|not valid/i },
    { kind: "truncated" as const, expected: /cluster\/resources|broke|closed|terminated|socket|incomplete/i },
  ])("a $kind answer: one poll fails with a clear reason, nothing goes offline, the next poll recovers", async ({ kind, expected }) => {
    const last = h.observer.last(`${h.base}/qemu/100`);
    const logsBefore = h.logs.length;
    const since = h.observer.messages.length;
    h.sim.injectFault({ path: RESOURCES, kind, times: 1 });
    const failed = await waitInfo(h, (i) => i.last_poll_result === "error", since);
    expect(failed.last_error).toMatch(expected);
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    const warnings = logLines(h, logsBefore).filter((l) => l.level >= WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.raw).toMatch(expected);
    expect(guestMessages(since).filter((m) => m.payload === "offline")).toEqual([]);
    expect(h.observer.last(`${h.base}/qemu/100`)).toBeDefined();
    expect(JSON.parse(h.observer.last(`${h.base}/qemu/100`)!).vmid).toBe(JSON.parse(last!).vmid);
  });

  it("a malformed node status skips that node's details only: other nodes and guests go on", async () => {
    const logsBefore = h.logs.length;
    const since = h.observer.messages.length;
    h.sim.injectFault({ path: "/nodes/pve2/status", kind: "malformed", times: 3 });
    await cyclesAfter(since, 4);
    const warnings = logLines(h, logsBefore).filter((l) => l.level >= WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.raw).toContain("pve2");
    for (const info of infos(h, since)) expect(info.last_poll_result).toBe("ok");
    expect(h.observer.messages.slice(since).filter((m) => m.topic.endsWith("/availability") && m.payload === "offline")).toEqual([]);
  });

  it("a huge body is cut at the size cap: the poll fails once with a clear reason, the daemon lives on", async () => {
    const since = h.observer.messages.length;
    h.sim.injectFault({ path: RESOURCES, kind: "huge", times: 1 });
    const failed = await waitInfo(h, (i) => i.last_poll_result === "error", since, 15_000);
    expect(failed.last_error).toMatch(/MiB|size|large|cap/i);
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    expect(guestMessages(since).filter((m) => m.payload === "offline")).toEqual([]);
    expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);
  });
});
