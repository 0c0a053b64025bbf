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

/** Runs `cycles` polls now (instead of waiting for the interval) and waits for their bridge/info; returns every info since `since`. */
async function cyclesAfter(since: number, cycles: number) {
  for (let i = 0; i < cycles; i++) await h.bridge.pollNow();
  const deadline = Date.now() + 5000;
  while (infos(h, since).length < cycles && Date.now() < deadline) await sleep(20);
  return infos(h, since);
}

/** Guest 100's state and availability topics received after `since`. */
const guestMessages = (since: number) => h.observer.messages.slice(since).filter((m) => m.topic.startsWith(`${h.base}/qemu/100`));

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
    await cyclesAfter(since, 3);
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
    void h.bridge.pollNow();
    const failed = await waitInfo(h, (i) => i.last_poll_result === "error", since);
    void h.bridge.pollNow();
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
    await cyclesAfter(since, 3);
    const warnings = logLines(h, logsBefore).filter((l) => l.level >= WARN);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.raw).toContain("pve2");
    for (const info of infos(h, since)) expect(info.last_poll_result).toBe("ok");
    expect(h.observer.messages.slice(since).filter((m) => m.topic.endsWith("/availability") && m.payload === "offline")).toEqual([]);
  });

  it("a huge body is cut at the size cap: the poll fails once with a clear reason, the daemon lives on", async () => {
    const since = h.observer.messages.length;
    h.sim.injectFault({ path: RESOURCES, kind: "huge", times: 1 });
    void h.bridge.pollNow();
    const failed = await waitInfo(h, (i) => i.last_poll_result === "error", since, 15_000);
    expect(failed.last_error).toMatch(/MiB|size|large|cap/i);
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    expect(guestMessages(since).filter((m) => m.payload === "offline")).toEqual([]);
    expect(process.memoryUsage().rss).toBeLessThan(1024 * 1024 * 1024);
  });
});
