import { describe, expect, it } from "vitest";
import { HealthReader } from "../../src/inventory/health.js";
import type { Inventory } from "../../src/inventory/types.js";
import { silentLogger } from "../../src/log.js";
import { FakePve } from "./fake-api.js";

function inventory(api: FakePve): Inventory {
  const nodes = [...api.nodes].map(([name, online]) => ({
    name, status: online ? ("online" as const) : ("offline" as const), cpu: null, cpus: null, cpuModel: null, load: null, memUsed: null, memTotal: null,
    swapUsed: null, swapTotal: null, rootfsUsed: null, rootfsTotal: null, uptime: null, kernel: null, pveVersion: "8.2.4", ioDelay: null, ip: null,
  }));
  return { takenAt: 0, cluster: { name: "c", quorate: true, pveVersion: "8.2.4" }, nodes, guests: [], storages: [] };
}

describe("HealthReader cadence (CONTRACT 8: never per poll)", () => {
  it("reads each online node's disks, pools and updates once per cadence, HA once per its own", async () => {
    const api = new FakePve({ pve1: true, pve2: true, pve3: false });
    let clock = 0;
    const reader = new HealthReader(silentLogger(), { disks: 600, updates: 1800, cluster: 300 }, () => clock);
    for (let poll = 0; poll < 121; poll++) {
      await reader.read(api, inventory(api));
      clock += 30_000; // one poll every 30 s: 1 hour
    }
    // at 0, 600 s, … 3600 s: 7 readings per online node; none for the offline pve3
    expect(api.calls.filter((call) => call.method === "diskList").map((call) => call.args[0]).sort()).toEqual([...Array(7).fill("pve1"), ...Array(7).fill("pve2")]);
    expect(api.count("zfsPools")).toBe(14);
    expect(api.count("aptUpdates")).toBe(2 * 3);
    expect(api.count("haStatus")).toBe(13);
  });

  it("spreads the nodes' reads over the cadence after the first: not every node's disks in one poll", async () => {
    const nodes = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`pve${i + 1}`, true]));
    const api = new FakePve(nodes);
    let clock = 0;
    const reader = new HealthReader(silentLogger(), { disks: 600, updates: 1800, cluster: 300 }, () => clock);
    const pollsWithDiskReads: number[] = [];
    for (let poll = 0; poll < 41; poll++) {
      const before = api.count("diskList");
      await reader.read(api, inventory(api));
      if (api.count("diskList") > before) pollsWithDiskReads.push(poll);
      clock += 30_000;
    }
    // all six at the first poll; then each node on a poll of its own phase, once per 20 polls
    expect(pollsWithDiskReads[0]).toBe(0);
    expect(api.count("diskList")).toBe(6 * 3);
    expect(new Set(pollsWithDiskReads.slice(1)).size).toBeGreaterThan(2);
  });

  it("reads nothing with a cadence of 0", async () => {
    const api = new FakePve({ pve1: true });
    const reader = new HealthReader(silentLogger(), { disks: 0, updates: 0, cluster: 0 }, () => 0);
    await reader.read(api, inventory(api));
    expect(api.calls).toEqual([]);
  });
});
