import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedGuests, nodeNames } from "../../src/sim/generate.js";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient } from "./client.js";

describe("generated clusters", () => {
  it("mixes kinds and states deterministically from a seed", () => {
    const nodes = nodeNames(20);
    const guests = generatedGuests(nodes, 2000, 7);
    expect(generatedGuests(nodes, 2000, 7)).toEqual(guests);
    expect(generatedGuests(nodes, 2000, 8)).not.toEqual(guests);
    const running = guests.filter((g) => g.status === "running").length / guests.length;
    expect(running).toBeGreaterThan(0.6);
    expect(running).toBeLessThan(0.75);
    expect(guests.filter((g) => g.template)).toHaveLength(100);
    expect(new Set(guests.map((g) => g.kind))).toEqual(new Set(["qemu", "lxc"]));
    expect(new Set(guests.map((g) => g.node)).size).toBe(20);
    expect(guests.some((g) => g.agent)).toBe(true);
  });

  it("refuses impossible setups with a clear message", () => {
    expect(() => nodeNames(0)).toThrow(/positive integer/);
    expect(() => nodeNames([])).toThrow(/at least one node/);
  });
});

describe("a large simulated cluster", () => {
  let sim: PveSimulator;
  let client: TestClient;
  beforeAll(async () => {
    sim = await PveSimulator.start({ nodes: 20, guests: 2000, authFailureDelayMs: 20 });
    client = new TestClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it("answers /cluster/resources with every guest, node and storage row", async () => {
    const session = await client.login();
    const rows = (await session.get("/cluster/resources")).json.data as { type: string }[];
    expect(rows.filter((r) => r.type === "qemu" || r.type === "lxc")).toHaveLength(2000);
    expect(rows.filter((r) => r.type === "node")).toHaveLength(20);
    expect(rows.filter((r) => r.type === "storage")).toHaveLength(60);
    const storages = (await session.get("/nodes/pve1/storage", { content: "backup" })).json.data as { storage: string; used_fraction?: number }[];
    expect(storages.map((s) => s.storage).sort()).toEqual(["local", "nas"]);
    expect(storages[0]!.used_fraction).toBeGreaterThan(0);
  });
});
