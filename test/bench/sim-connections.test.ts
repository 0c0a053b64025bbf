import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";

describe("simulator connection count (what each poll costs PVE in handshakes)", () => {
  let sim: PveSimulator;
  beforeAll(async () => {
    // unauthenticated requests: answered 401 at once (no brute-force delay)
    sim = await PveSimulator.start({ nodes: ["pve1"], guests: 2, authFailureDelayMs: 0 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  const version = (dispatcher: Agent) =>
    request(`${sim.urls[0]}/api2/json/version`, { dispatcher }).then(async (response) => {
      await response.body.text();
      return response.statusCode;
    });

  /** Connections the client holds open (an origin without one may be dropped from the stats). */
  const connectedTo = (agent: Agent) => Object.values(agent.stats).reduce((sum, origin) => sum + (origin as { connected: number }).connected, 0);

  it("counts accepted TLS connections: a kept-alive connection once, a new one after closeIdleConnections()", async () => {
    const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: 1 });
    try {
      const start = sim.tlsConnections;
      expect(await version(agent)).toBe(401);
      expect(await version(agent)).toBe(401);
      expect(sim.tlsConnections - start).toBe(1);
      expect(connectedTo(agent)).toBe(1);

      sim.closeIdleConnections();
      // undici drops the closed socket once it sees it close; the next request needs a new one
      await vi.waitFor(() => expect(connectedTo(agent)).toBe(0));
      expect(await version(agent)).toBe(401);
      expect(sim.tlsConnections - start).toBe(2);
    } finally {
      await agent.close();
    }
  });

  it("counts one connection per request sent at once over separate connections", async () => {
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const start = sim.tlsConnections;
      await Promise.all([version(agent), version(agent), version(agent)]);
      expect(sim.tlsConnections - start).toBe(3);
    } finally {
      await agent.close();
    }
  });
});
