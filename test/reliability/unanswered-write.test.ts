import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../e2e/harness.js";
import { waitInfo } from "./helpers.js";

type Result = { id: unknown; action: unknown; status: string; upid?: string | null; error?: string | null };

describe("a POST whose answer never comes", () => {
  let h: Harness;
  beforeAll(async () => {
    // Two hosts: the write must not be re-sent to the second one either.
    h = await startHarness({ sim: { hosts: 2, taskDurationMs: 100 }, config: { proxmox: { timeout: 1 } } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("is not re-sent to any host; the error says the outcome is unknown; the next poll shows the truth", async () => {
    const path = "/nodes/pve1/qemu/100/status/stop";
    await h.observer.waitForJson(`${h.base}/qemu/100`, (s) => s.status === "running");
    const since = h.observer.messages.length;
    // PVE receives the stop, takes 1.5 s to answer (it does run it), the bridge gives up after 1 s.
    h.sim.injectFault({ method: "POST", path, kind: "slow", delayMs: 1500, times: 1 });
    await h.observer.publish(`${h.base}/qemu/100/set`, '{"action":"stop","id":"lost"}');
    const result = await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.id === "lost", 10_000, since);
    expect(result.status).toBe("error");
    expect(result.error).toMatch(/unknown|may have|might have|not know/i);
    expect(result.error).toMatch(/1 s|answer/i);

    // The next polls show the truth: PVE did stop it.
    await h.observer.waitForJson(`${h.base}/qemu/100`, (s) => s.status === "stopped", 10_000, since);
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    const sent = h.sim.requests.filter((r) => r.method === "POST" && r.path === path);
    expect(sent).toHaveLength(1);
    // Exactly one result, no retry result later.
    const results = h.observer.messages.slice(since).filter((m) => m.topic === `${h.base}/qemu/100/result`);
    expect(results).toHaveLength(1);
    // The bridge lives on: the next command works (the write went out once, the host is fine).
    const next = h.observer.messages.length;
    await h.observer.publish(`${h.base}/qemu/100/set`, '{"action":"start","id":"next"}');
    const done = await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.id === "next" && r.status !== "started", 10_000, next);
    expect(done.status).toBe("ok");
  });

  it("a POST that hangs forever on the first host is not re-sent to the second", async () => {
    const path = "/nodes/pve1/qemu/101/status/reboot";
    const since = h.observer.messages.length;
    h.sim.injectFault({ method: "POST", path, kind: "hang", host: 0, times: 1 });
    await h.observer.publish(`${h.base}/qemu/101/set`, '{"action":"reboot","id":"hung"}');
    const result = await h.observer.waitForJson<Result>(`${h.base}/qemu/101/result`, (r) => r.id === "hung", 10_000, since);
    expect(result.status).toBe("error");
    expect(result.error).toMatch(/unknown|may have|might have|not know/i);
    expect(h.sim.requests.filter((r) => r.method === "POST" && r.path === path)).toHaveLength(1);
    expect(h.sim.requests.filter((r) => r.method === "POST" && r.path === path && r.host === 1)).toEqual([]);
  });
});
