import { describe, expect, it } from "vitest";
import { PveHttpError, PveUnreachableError, PveWriteOutcomeUnknownError } from "../../src/pve/errors.js";
import { captureLog } from "./log-capture.js";
import { clientFor, requestsTo, startSim } from "./harness.js";

const INFO = 30;

describe("failover", () => {
  it("answers the same request from the next host when the first is down, and puts the first aside", async () => {
    let now = Date.now();
    const sim = await startSim({ hosts: 3 });
    const capture = captureLog("info");
    const client = clientFor(sim, { now: () => now, log: capture.log });
    await sim.setHostDown(0, true);
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
    expect(client.connectedHost()).toBe(sim.urls[1]);
    const [first, second, third] = client.hosts();
    expect(first).toMatchObject({ origin: sim.urls[0], state: "down", consecutiveFailures: 1 });
    expect(Date.parse(first!.retryAt!) - now).toBe(30_000);
    expect(second).toMatchObject({ state: "ok", lastError: null, retryAt: null });
    expect(third).toMatchObject({ state: "untried" });
    // While put aside, host 0 is not tried at all, and nothing more is logged.
    await client.clusterResources();
    await client.version();
    expect(sim.requests.every((request) => request.host === 1)).toBe(true);
    expect(capture.messages(INFO)).toEqual([expect.stringMatching(new RegExp(`^host ${sim.urls[0]} unreachable: .*, using ${sim.urls[1]}$`))]);
  });

  it("doubles the put-aside period per failure up to 300 s, and prefers the first host again once it answers", async () => {
    let now = Date.now();
    const sim = await startSim({ hosts: 2 });
    const capture = captureLog("info");
    const client = clientFor(sim, { now: () => now, log: capture.log });
    await sim.setHostDown(0, true);
    await client.version();
    const periods: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const retryAt = Date.parse(client.hosts()[0]!.retryAt!);
      periods.push(retryAt - now);
      now = retryAt;
      await client.version();
    }
    expect(periods).toEqual([30_000, 60_000, 120_000, 240_000, 300_000]);
    expect(client.hosts()[0]!.consecutiveFailures).toBe(6);

    await sim.setHostDown(0, false);
    now = Date.parse(client.hosts()[0]!.retryAt!);
    sim.clearRequests();
    await client.version();
    expect(client.connectedHost()).toBe(sim.urls[0]);
    expect(sim.requests.map((request) => request.host)).toEqual([0]);
    expect(client.hosts()[0]).toMatchObject({ state: "ok", consecutiveFailures: 0, retryAt: null, lastError: null });
    expect(capture.messages(INFO)).toEqual([expect.stringContaining(`host ${sim.urls[0]} unreachable`), `host ${sim.urls[0]} back`]);
  });

  it("when every host is down: tries them all and lists each with its reason", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim);
    await sim.setHostDown(0, true);
    await sim.setHostDown(1, true);
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveUnreachableError);
    const failures = (error as PveUnreachableError).failures;
    expect(failures.map((failure) => failure.origin)).toEqual(sim.urls);
    expect(failures.every((failure) => /ECONNREFUSED/.test(failure.reason))).toBe(true);
    expect((error as Error).message).toContain(sim.urls[0]!);
    expect((error as Error).message).toContain(sim.urls[1]!);

    // Everything is put aside: the next request still tries them, earliest retry first.
    await sim.setHostDown(0, false);
    await sim.setHostDown(1, false);
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
    expect(client.connectedHost()).toBe(sim.urls[0]);
  });

  it.each([500, 595, 596])("a %i is PVE's answer: returned, never a reason to switch", async (status) => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim);
    await client.version();
    sim.injectFault({ host: 0, path: "/nodes/pve2/status", kind: "status", status, reason: `fault ${status} from the target node` });
    sim.clearRequests();
    const error = await client.nodeStatus("pve2").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveHttpError);
    expect(error).toMatchObject({ status, message: `fault ${status} from the target node`, path: "/nodes/pve2/status" });
    expect(sim.requests.map((request) => request.host)).toEqual([0]);
    expect(client.hosts()[0]!.state).toBe("ok");
  });

  it("a read that times out is a host failure: the next host answers it", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim, { timeoutMs: 300 });
    await client.version();
    sim.injectFault({ host: 0, path: "/cluster/resources", kind: "hang" });
    const rows = await client.clusterResources();
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(client.connectedHost()).toBe(sim.urls[1]);
    expect(client.hosts()[0]).toMatchObject({ state: "down", lastError: "no answer within 0.3 s" });
  });

  it("a write that timed out is never re-sent: PveWriteOutcomeUnknownError", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim, { timeoutMs: 300 });
    await client.version();
    sim.injectFault({ path: "/nodes/pve1/qemu/100/status/suspend", method: "POST", kind: "hang" });
    sim.clearRequests();
    const error = await client.guestPower("qemu", "pve1", 100, "suspend").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveWriteOutcomeUnknownError);
    expect((error as Error).message).toMatch(/did not answer within 0\.3 s; the task may or may not have started — the next poll shows the truth/);
    // The call has settled: a re-send is part of the call, so it would be in the simulator's log by now.
    expect(sim.requests.filter((request) => request.method === "POST").map((request) => request.host)).toEqual([0]);
  });

  it("a write that never reached a host (connection refused) goes to the next host", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim);
    await client.version();
    await sim.setHostDown(0, true);
    sim.clearRequests();
    const upid = await client.guestPower("qemu", "pve1", 100, "suspend");
    expect(upid).toMatch(/^UPID:pve1:/);
    expect(requestsTo(sim, "/nodes/pve1/qemu/100/status/suspend", "POST").map((request) => request.host)).toEqual([1]);
  });
});
