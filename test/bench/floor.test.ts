import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FloorClient } from "../../src/bench/floor.js";
import { PveSimulator } from "../../src/sim/index.js";

describe("bench floor client", () => {
  let sim: PveSimulator;
  beforeAll(async () => {
    sim = await PveSimulator.start({ nodes: ["pve1", "pve2"], guests: 6 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("replays a cycle's GET requests with its own ticket, the same paths and queries, and reports their CPU", async () => {
    const floor = await FloorClient.login({ url: sim.urls[0]!, user: "pve2mqtt@pve", password: sim.users["pve2mqtt@pve"]! });
    try {
      sim.clearRequests();
      const micros = await floor.replay([
        { method: "GET", path: "/cluster/resources", query: {}, status: 200, at: 0 },
        { method: "GET", path: "/nodes/pve2/status", query: {}, status: 200, at: 0 },
        { method: "GET", path: "/nodes/pve1/storage/local/content", query: { content: "backup" }, status: 200, at: 0 },
      ]);
      expect(micros).toBeGreaterThan(0);
      const seen = sim.requests.map((request) => ({ method: request.method, path: request.path, query: request.query, status: request.status, auth: request.auth }));
      expect(seen).toHaveLength(3);
      expect(seen).toEqual(
        expect.arrayContaining([
          { method: "GET", path: "/cluster/resources", query: {}, status: 200, auth: "ticket" },
          { method: "GET", path: "/nodes/pve2/status", query: {}, status: 200, auth: "ticket" },
          { method: "GET", path: "/nodes/pve1/storage/local/content", query: { content: "backup" }, status: 200, auth: "ticket" },
        ]),
      );
    } finally {
      await floor.close();
    }
  });
});
