import { describe, expect, it } from "vitest";
import { PveHttpError, PveResponseError } from "../../src/pve/errors.js";
import { clientFor, requestsTo, startSim } from "./harness.js";

describe("GET retries", () => {
  it.each([429, 502, 503, 504])("retries a %i and uses the answer that follows", async (status) => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/version", kind: "status", status, times: 2 });
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
    expect(requestsTo(sim, "/version").map((request) => request.status)).toEqual([status, status, 200]);
  });

  it("stops after 5 attempts in all and returns PVE's message", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/version", kind: "status", status: 503, reason: "too many requests in flight" });
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveHttpError);
    expect(error).toMatchObject({ status: 503, message: "too many requests in flight" });
    expect(requestsTo(sim, "/version").map((request) => request.host)).toEqual([0, 0, 0, 0, 0]);
    expect(client.hosts()[0]!.state).toBe("ok");
  });

  it("does not retry a 500", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/version", kind: "status", status: 500, reason: "internal trouble" });
    await expect(client.version()).rejects.toMatchObject({ status: 500, message: "internal trouble" });
    expect(requestsTo(sim, "/version")).toHaveLength(1);
  });

  it("never retries a POST, whatever its status", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/nodes/pve1/qemu/100/status/suspend", kind: "status", status: 503, reason: "busy" });
    await expect(client.guestPower("qemu", "pve1", 100, "suspend")).rejects.toMatchObject({ status: 503, message: "busy" });
    expect(requestsTo(sim, "/nodes/pve1/qemu/100/status/suspend")).toHaveLength(1);
  });
});

describe("PVE's error messages", () => {
  it("takes the message from the reason phrase (PVE 8.2) and keeps a 400's errors map", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const error = await client.snapshot("qemu", "pve1", 100, { snapname: "1bad name" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveHttpError);
    const httpError = error as PveHttpError;
    expect(httpError.status).toBe(400);
    expect(httpError.path).toBe("/nodes/pve1/qemu/100/snapshot");
    expect(httpError.errors?.snapname).toMatch(/invalid format/);
    expect(httpError.message).toMatch(/^Parameter verification failed\. \(snapname: invalid format/);
  });

  it("595 from a dead target node is a PveHttpError with PVE's text", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/nodes/pve3/status", kind: "status", status: 595, reason: "Errors during connection establishment, proxy handshake: No route to host" });
    await expect(client.nodeStatus("pve3")).rejects.toMatchObject({
      name: "PveHttpError",
      status: 595,
      message: "Errors during connection establishment, proxy handshake: No route to host",
    });
  });
});

describe("response size and shape", () => {
  it("stops reading past the cap: PveResponseError 'exceeds 32 MiB' by default", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/cluster/resources", kind: "huge" });
    const error = await client.clusterResources().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveResponseError);
    expect((error as Error).message).toBe("response from /cluster/resources exceeds 32 MiB");
    // The client still works afterwards.
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
  });

  it("honours a smaller cap", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { maxBodyBytes: 1024 * 1024 });
    sim.injectFault({ path: "/cluster/resources", kind: "huge", hugeBytes: 2 * 1024 * 1024 });
    await expect(client.clusterResources()).rejects.toThrow("response from /cluster/resources exceeds 1 MiB");
  });

  it("invalid JSON is a PveResponseError naming the path", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/cluster/resources", kind: "malformed" });
    const error = await client.clusterResources().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveResponseError);
    expect((error as Error).message).toMatch(/^response from \/cluster\/resources is not valid JSON/);
  });

  it("a slow answer within the timeout is just slow", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim, { timeoutMs: 1000 });
    await client.version();
    sim.injectFault({ path: "/version", kind: "slow", delayMs: 200 });
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
    expect(client.connectedHost()).toBe(sim.urls[0]);
  });

  it("an answer that breaks off is never used: the host counts as failed and the next one answers", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim);
    await client.version();
    sim.injectFault({ host: 0, path: "/cluster/resources", kind: "truncated" });
    const rows = await client.clusterResources();
    expect(rows.skipped).toBe(0);
    expect(rows.rows.length).toBeGreaterThan(3);
    expect(client.connectedHost()).toBe(sim.urls[1]);
    expect(client.hosts()[0]!.lastError).toMatch(/^the answer broke off/);
    expect(requestsTo(sim, "/cluster/resources").map((request) => request.host)).toEqual([0, 1]);
  });
});
