import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHost } from "../../src/config/schema.js";
import { Poller } from "../../src/inventory/poller.js";
import { silentLogger } from "../../src/log.js";
import { PveClient } from "../../src/pve/client.js";
import { PveSimulator } from "../../src/sim/index.js";

/* The poller against the HTTPS simulator through the real client: what PVE would actually see. */

let sim: PveSimulator;
let client: PveClient;

beforeAll(async () => {
  sim = await PveSimulator.start({
    nodes: ["pve1", "pve2", "pve3"],
    guests: [
      { vmid: 100, kind: "qemu", node: "pve1", name: "web", agent: true, ipv4: ["192.168.1.50"], ipv6: ["2001:db8::50"] },
      { vmid: 101, kind: "qemu", node: "pve2", name: "paused", status: "paused" },
      { vmid: 102, kind: "lxc", node: "pve2", name: "dns", ipv4: ["192.168.1.53"] },
      { vmid: 103, kind: "qemu", node: "pve1", name: "sleeper", status: "hibernated" },
      { vmid: 104, kind: "qemu", node: "pve1", name: "noagent", agent: false },
      { vmid: 9000, kind: "qemu", node: "pve1", name: "template", status: "stopped", template: true },
      ...Array.from({ length: 40 }, (_, index) => ({ vmid: 200 + index, kind: "lxc" as const, node: index % 2 ? "pve1" : "pve2", name: `ct${index}`, status: "stopped" as const })),
    ],
    authFailureDelayMs: 20,
    taskDurationMs: 50,
  });
  client = new PveClient({
    hosts: sim.urls.map((url) => parseHost(url, 8006)!),
    auth: { kind: "password", user: "pve2mqtt@pve", password: "secret-password" },
    verifyTls: true,
    fingerprints: [sim.fingerprint],
    timeoutMs: 5000,
    log: silentLogger(),
  });
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

const gets = () => sim.requests.filter((request) => request.method === "GET");
const isCore = (path: string) => path === "/cluster/resources" || path === "/cluster/status" || path === "/cluster/tasks" || path === "/version" || /^\/nodes\/[^/]+\/status$/.test(path);

describe("Poller against the simulator", () => {
  it("keeps the request budget: 3 + online nodes per steady cycle, details spread", async () => {
    sim.setNodeOnline("pve3", false);
    const poller = new Poller(client, { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger() });
    const extras: number[] = [];
    for (let cycle = 0; cycle < 31; cycle++) {
      sim.clearRequests();
      const outcome = await poller.poll();
      const requests = gets();
      const core = requests.filter((request) => isCore(request.path)).map((request) => request.path).sort();
      expect(core).toEqual(
        [...(cycle === 0 ? ["/version"] : []), "/cluster/resources", "/cluster/status", "/cluster/tasks", "/nodes/pve1/status", "/nodes/pve2/status"].sort(),
      );
      expect(outcome.requests).toBe(requests.length);
      extras.push(requests.length - core.length);
    }
    // every guest's details within the first two polls (at most 50 extra requests each), then
    // spread: 4 running guests and 2 backup storages, cadence 10/30/30: a few requests per cycle
    expect(extras[0]).toBeGreaterThan(6);
    expect(Math.max(extras[0]!, extras[1]!)).toBeLessThanOrEqual(50);
    expect(Math.max(...extras.slice(2))).toBeLessThanOrEqual(6);
    sim.setNodeOnline("pve3", true);
  });

  it("derives statuses, skips templates, filters IPs", async () => {
    const poller = new Poller(client, { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger(), cadence: { ips: 1, snapshots: 1, backups: 1 } });
    const outcome = await poller.poll();
    const status = new Map(outcome.inventory.guests.map((guest) => [guest.vmid, guest.status]));
    expect(status.get(100)).toBe("running");
    expect(status.get(101)).toBe("paused");
    expect(status.get(103)).toBe("hibernated");
    expect(status.has(9000)).toBe(false);
    expect(outcome.details.get("qemu/100")).toMatchObject({ ipv4: ["192.168.1.50"], ipv6: ["2001:db8::50"], snapshots: 0 });
    expect(outcome.details.get("lxc/102")!.ipv4).toEqual(["192.168.1.53"]);
    expect(outcome.details.get("qemu/104")!.ipv4).toEqual([]);
    expect(outcome.inventory.cluster.pveVersion).not.toBeNull();
  });

  it("keeps the name of guests on a node that has been offline for a long time", async () => {
    const poller = new Poller(client, { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger() });
    await poller.poll();
    sim.setNodeOnline("pve2", false, { offlineForMs: 10 * 60_000 });
    sim.clearRequests();
    const outcome = await poller.poll();
    expect(gets().some((request) => request.path === "/nodes/pve2/status")).toBe(false);
    expect(outcome.inventory.guests.find((guest) => guest.vmid === 101)).toMatchObject({ name: "paused", status: "unknown" });
    sim.setNodeOnline("pve2", true);
  });

  it("refreshes one guest live after a change", async () => {
    const poller = new Poller(client, { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger() });
    await poller.poll();
    sim.updateGuest(100, { status: "paused" });
    sim.clearRequests();
    const outcome = await poller.refreshGuest("qemu/100");
    expect(gets().map((request) => request.path)).toEqual(["/nodes/pve1/qemu/100/status/current"]);
    expect(outcome.inventory.guests.find((guest) => guest.vmid === 100)!.status).toBe("paused");
    sim.updateGuest(100, { status: "running" });
  });
});
