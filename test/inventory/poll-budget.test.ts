import { describe, expect, it } from "vitest";
import { DetailsCollector } from "../../src/inventory/details.js";
import { HealthReader } from "../../src/inventory/health.js";
import { spreadHash } from "../../src/inventory/limit.js";
import { PollBudget } from "../../src/inventory/poll-budget.js";
import { Poller } from "../../src/inventory/poller.js";
import type { Inventory } from "../../src/inventory/types.js";
import { silentLogger } from "../../src/log.js";
import { FakePve, type FakeGuest } from "./fake-api.js";

/*
 * Reads that can wait (details on their cadence, a node's disks, updates, HA) take what a poll's
 * budget of 3 + N + ⌈G/5⌉ requests (CONTRACT 7) has left after the core, the task logs, the reads a
 * task end asked for and first readings; without room they wait for a later poll.
 */

function vm(vmid: number): FakeGuest {
  return { kind: "qemu", vmid, node: "pve1", name: `vm${vmid}`, status: "running", config: { agent: 1 }, agent: [] };
}

/** The inventory of one poll of `api` (the details under test are collected by a collector of the test's own). */
async function inventoryOf(api: FakePve): Promise<Inventory> {
  const poller = new Poller(api, { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger(), now: () => Date.parse("2024-08-01T12:00:00Z") });
  const { inventory } = await poller.poll();
  api.clear();
  return inventory;
}

/** What a poll of one node and `guests` guests has left once its 4 core requests are made: nothing. */
const noRoom = (guests: number) => PollBudget.forPoll(1, guests, 4 + Math.ceil(guests / 5));

const NO_TASK_END = { ips: new Set<number>(), snapshots: new Set<number>(), backups: new Map<number, string | null>() };

describe("PollBudget: reads that can wait take what the poll has left", () => {
  it("counts 3 + N + ⌈G/5⌉ less what the poll made, and takes only what fits", () => {
    const budget = PollBudget.forPoll(3, 30, 7); // 12 in all, 7 made
    expect(budget.take(6)).toBe(false);
    expect(budget.take(5)).toBe(true);
    expect(budget.take(1)).toBe(false);
    expect(budget.take(2, true)).toBe(true); // overdue: goes anyway
  });

  it("a guest's IP read on its cadence waits one poll when the budget is spent, then goes; a task end's never waits", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100), vm(101)];
    const inventory = await inventoryOf(api);
    const collector = new DetailsCollector(silentLogger(), { ips: 2, snapshots: 0, backups: 0 });
    await collector.collect(api, inventory, 0); // first readings: config and agent of each
    expect(api.count("agentInterfaces")).toBe(2);
    await collector.collect(api, inventory, 1); // get-osinfo, once the agents have answered

    // a cycle on which vm 100 is due on its cadence of 2
    const due = 2 + (spreadHash(100) % 2 === 0 ? 0 : 1);
    api.clear();
    await collector.collect(api, inventory, due, NO_TASK_END, noRoom(2));
    expect(api.calls.filter((call) => call.method === "agentInterfaces" && call.args[1] === 100)).toEqual([]);

    api.clear();
    await collector.collect(api, inventory, due + 1, NO_TASK_END, noRoom(2));
    expect(api.calls.filter((call) => call.method === "agentInterfaces" && call.args[1] === 100)).toHaveLength(1);

    // vm 101 started (a task end): read now, even with no room
    api.clear();
    await collector.collect(api, inventory, due + 2, { ...NO_TASK_END, ips: new Set([101]) }, noRoom(2));
    expect(api.calls.filter((call) => call.method === "agentInterfaces" && call.args[1] === 101)).toHaveLength(1);
  });

  it("with room, the same read goes on its due cycle", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100)];
    const inventory = await inventoryOf(api);
    const collector = new DetailsCollector(silentLogger(), { ips: 2, snapshots: 0, backups: 0 });
    await collector.collect(api, inventory, 0);
    await collector.collect(api, inventory, 1);
    const due = 2 + (spreadHash(100) % 2 === 0 ? 0 : 1);
    api.clear();
    await collector.collect(api, inventory, due, NO_TASK_END, PollBudget.forPoll(1, 1, 4));
    expect(api.count("agentInterfaces")).toBe(1);
  });

  it("a node's disks read waits while the polls have no room, and goes once it waited a whole cadence", async () => {
    let clock = 0;
    const withRoom = new FakePve({ pve1: true });
    const without = new FakePve({ pve1: true });
    const inventory = await inventoryOf(withRoom);
    const readers = [withRoom, without].map((api) => ({ api, reader: new HealthReader(silentLogger(), { disks: 600, updates: 0, cluster: 0 }, () => clock) }));
    const readings = new Map<FakePve, number[]>([[withRoom, []], [without, []]]);
    for (let poll = 0; poll <= 120; poll++) {
      for (const { api, reader } of readers) {
        const before = api.count("diskList");
        await reader.read(api, inventory, api === withRoom ? PollBudget.unlimited() : noRoom(0));
        if (api.count("diskList") > before) readings.get(api)!.push(clock / 1000);
      }
      clock += 30_000;
    }
    const [first, second, third] = readings.get(withRoom)!;
    const held = readings.get(without)!;
    // the first reading is at once whatever the room; with room the next come every 600 s
    expect(first).toBe(0);
    expect(held[0]).toBe(0);
    expect(third! - second!).toBe(600);
    // without room, each next reading comes only when it has waited a whole cadence more (1,200 s after the last)
    expect(held[1]).toBeGreaterThan(second!);
    expect(held[1]! - second!).toBeGreaterThanOrEqual(600);
    expect(held[2]! - held[1]!).toBe(1200);
  });
});
