import { Agent, fetch } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient, type Session } from "./client.js";

describe("fault injection and hosts going down", () => {
  let sim: PveSimulator;
  let client: TestClient;
  let session: Session;

  beforeAll(async () => {
    sim = await PveSimulator.start({ hosts: 2, authFailureDelayMs: 20, taskDurationMs: 50 });
    client = new TestClient(sim);
    session = await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  afterEach(() => sim.clearFaults());

  it("answers a status fault with its reason phrase, a limited number of times, on the chosen host only", async () => {
    sim.injectFault({ path: "/cluster/resources", kind: "status", status: 503, reason: "Service Unavailable", times: 1, host: 0 });
    const failed = await session.get("/cluster/resources");
    expect([failed.status, failed.reason, failed.json]).toEqual([503, "Service Unavailable", { data: null }]);
    expect((await session.get("/cluster/resources")).status).toBe(200);
    const remove = sim.injectFault({ path: /^\/nodes\/pve1\/qemu\/\d+\/status\/current$/, kind: "status", status: 500, reason: "VM is locked (backup)", host: 1 });
    expect((await session.get("/nodes/pve1/qemu/100/status/current")).status).toBe(200);
    expect((await session.get("/nodes/pve1/qemu/100/status/current", undefined, 1)).reason).toBe("VM is locked (backup)");
    remove();
    expect((await session.get("/nodes/pve1/qemu/100/status/current", undefined, 1)).status).toBe(200);
    expect(sim.requests.filter((r) => r.status === 503)).toHaveLength(1);
  });

  it("sends malformed JSON with a 200", async () => {
    sim.injectFault({ path: "/version", kind: "malformed" });
    const reply = await session.get("/version");
    expect(reply.status).toBe(200);
    expect(reply.json).toBeUndefined();
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it("truncates a body and drops the connection", async () => {
    sim.injectFault({ path: "/cluster/resources", kind: "truncated", times: 1 });
    await expect(session.get("/cluster/resources")).rejects.toThrow();
    expect((await session.get("/cluster/resources")).status).toBe(200);
  });

  it("streams a huge body", async () => {
    sim.injectFault({ path: "/cluster/resources", kind: "huge", hugeBytes: 2 * 1024 * 1024, times: 1 });
    const reply = await session.get("/cluster/resources");
    expect(reply.text.length).toBeGreaterThan(2 * 1024 * 1024);
    expect(Array.isArray(reply.json.data)).toBe(true);
  });

  it("streams more than 32 MiB by default without answering in one piece", async () => {
    sim.injectFault({ path: "/cluster/resources", kind: "huge", times: 1 });
    const agent = new Agent({ connect: { ca: sim.certPem } });
    const response = await fetch(`${sim.urls[0]}/api2/json/cluster/resources`, { headers: { cookie: `PVEAuthCookie=${encodeURIComponent(session.ticket)}` }, dispatcher: agent });
    expect(response.headers.get("content-length")).toBeNull();
    let received = 0;
    for await (const chunk of response.body!) {
      received += (chunk as Uint8Array).length;
      if (received > 32 * 1024 * 1024) break;
    }
    expect(received).toBeGreaterThan(32 * 1024 * 1024);
    await agent.destroy();
  });

  it("delays a slow answer and leaves a hung one unanswered", async () => {
    sim.injectFault({ path: "/version", kind: "slow", delayMs: 100, times: 1 });
    const began = Date.now();
    expect((await session.get("/version")).status).toBe(200);
    expect(Date.now() - began).toBeGreaterThanOrEqual(90);

    sim.injectFault({ path: "/nodes", kind: "hang", times: 1 });
    const outcome = await Promise.race([
      session.get("/nodes").then(() => "answered", () => "failed"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 200)),
    ]);
    expect(outcome).toBe("still waiting");
  });

  it("refuses connections while a host is down and answers again on the same port", async () => {
    const url = sim.urls[1];
    await sim.setHostDown(1, true);
    const error = await session.get("/version", undefined, 1).catch((e: unknown) => e as Error & { cause?: { code?: string } });
    expect((error as { cause?: { code?: string } }).cause?.code).toBe("ECONNREFUSED");
    expect((await session.get("/version", undefined, 0)).status).toBe(200);
    await sim.setHostDown(1, false);
    expect(sim.urls[1]).toBe(url);
    expect((await session.get("/version", undefined, 1)).status).toBe(200);
  });
});
