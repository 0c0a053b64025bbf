import { describe, expect, it } from "vitest";
import { buildInventory, buildResources, splitTags, type InventoryInput, type InventoryOptions } from "../../src/inventory/build.js";
import { ClusterNameUnknownError } from "../../src/inventory/errors.js";
import type { NodeStatus, ResourceRow } from "../../src/pve/schemas.js";
import { ClusterStatusRowSchema, ResourceRowSchema } from "../../src/pve/schemas.js";
import { clusterStatus, nodeStatus, rawResources, resources } from "./fixtures.js";

const everything = { filter: { nodes: ["*"], exclude_vmids: [] } };
const statuses = () => new Map<string, NodeStatus>([["pve1", nodeStatus()], ["pve2", nodeStatus({ loadavg: ["1.50", "1.00", "0.75"] })]]);
const version = { version: "8.2.4", release: "8.2", repoid: "faa83925c9641325" };

/** Both steps, as the poller takes them: the resources answer first, then the rest of the cycle. */
function build(overrides: Partial<Omit<InventoryInput, "resources"> & { resources: ResourceRow[] }> = {}, options: InventoryOptions = everything) {
  const { resources: rows = resources(), ...rest } = overrides;
  return buildInventory({ clusterStatus, nodeStatuses: statuses(), version, takenAt: 1_000_000, ...rest, resources: buildResources(rows, options) }, options);
}

describe("buildInventory", () => {
  it("names the cluster, its quorum and the PVE version", () => {
    const inventory = build();
    expect(inventory.cluster).toEqual({ name: "homelab", quorate: true, pveVersion: "8.2.4" });
    expect(inventory.takenAt).toBe(1_000_000);
  });

  it("builds the same values from the same rows, and the new values of what changed", () => {
    const first = build();
    const again = build({}, { ...everything, previous: first });
    expect(again.guests).toEqual(first.guests);
    expect(again.storages).toEqual(first.storages);

    const web = (inventory: ReturnType<typeof build>) => inventory.guests.find((guest) => guest.vmid === 100)!;
    const busier = resources().map((row) => (row.type === "qemu" && row.vmid === 100 ? { ...row, cpu: 0.99 } : row));
    const moved = build({ resources: busier }, { ...everything, previous: first });
    expect(web(moved)).toEqual({ ...web(first), cpu: 0.99 });
    expect(moved.guests.filter((guest) => guest.vmid !== 100)).toEqual(first.guests.filter((guest) => guest.vmid !== 100));

    // pve1 goes offline: its guests are unknown
    const offline = resources().map((row) => (row.type === "node" && row.node === "pve1" ? { ...row, status: "offline" } : row));
    expect(web(build({ resources: offline }, { ...everything, previous: first })).status).toBe("unknown");
  });

  it("builds new tags and counters when they change", () => {
    const first = build();
    const web = (inventory: ReturnType<typeof build>) => inventory.guests.find((guest) => guest.vmid === 100)!;
    const changed = resources().map((row) => (row.type === "qemu" && row.vmid === 100 ? { ...row, tags: "prod;web;new", netin: (row.netin ?? 0) + 1 } : row));
    const next = web(build({ resources: changed }, { ...everything, previous: first }));
    expect(next.tags).toEqual(["prod", "web", "new"]);
    expect(next.counters!.netin).toBe(web(first).counters!.netin + 1);
    const fewer = resources().map((row) => (row.type === "qemu" && row.vmid === 100 ? { ...row, tags: "" } : row));
    expect(web(build({ resources: fewer }, { ...everything, previous: first })).tags).toEqual([]);
  });

  it("skips templates and sorts guests by vmid", () => {
    expect(build().guests.map((guest) => guest.vmid)).toEqual([100, 101, 102, 103, 1000]);
  });

  it("derives statuses: paused, hibernated, unknown on an offline node", () => {
    const byId = new Map(build().guests.map((guest) => [guest.vmid, guest]));
    expect(byId.get(100)!.status).toBe("running");
    expect(byId.get(1000)!.status).toBe("paused");
    expect(byId.get(101)!.status).toBe("hibernated");
    expect(byId.get(103)!.status).toBe("unknown");
  });

  it("maps a guest row and splits tags on ; , and spaces", () => {
    const guests = build().guests;
    expect(guests.find((guest) => guest.vmid === 100)).toEqual({
      kind: "qemu", vmid: 100, name: "web", node: "pve1", status: "running", cpu: 0.0523, cpus: 4,
      memUsed: 2147483648, memTotal: 4294967296, diskUsed: null, diskTotal: 34359738368,
      counters: { netin: 1000, netout: 2000, diskread: 3000, diskwrite: 4000 }, uptime: 86400,
      haState: "started", lock: null, tags: ["prod", "web"],
    });
    const ct = guests.find((guest) => guest.vmid === 102)!;
    expect(ct.kind).toBe("lxc");
    expect(ct.diskUsed).toBe(1073741824);
    expect(ct.tags).toEqual(["infra", "dns", "old"]);
    expect(splitTags(undefined)).toEqual([]);
    expect(splitTags("a;;b")).toEqual(["a", "b"]);
  });

  it("keeps lock and tags of a nameless unknown row and has no metrics for it", () => {
    const lost = build().guests.find((guest) => guest.vmid === 103)!;
    expect(lost).toMatchObject({ name: null, lock: "backup", tags: ["lost"], cpu: null, memUsed: null, counters: null, uptime: null });
  });

  it("keeps the previous name of a guest whose row lost its name", () => {
    const previous = build();
    const withName = { ...previous, guests: previous.guests.map((guest) => (guest.vmid === 103 ? { ...guest, name: "backup-box" } : guest)) };
    const next = build({}, { ...everything, previous: withName });
    expect(next.guests.find((guest) => guest.vmid === 103)!.name).toBe("backup-box");
  });

  it("enriches nodes with /nodes/{n}/status: load as numbers, swap, kernel, pve version, cpu model, ip", () => {
    const pve1 = build().nodes.find((node) => node.name === "pve1");
    expect(pve1).toEqual({
      name: "pve1", status: "online", cpu: 0.125, cpus: 16, cpuModel: "AMD Ryzen 7 5800X 8-Core Processor",
      load: [0.58, 0.47, 0.41], memUsed: 17179869184, memTotal: 68719476736, swapUsed: 1048576, swapTotal: 8589934592,
      rootfsUsed: 10737418240, rootfsTotal: 107374182400, uptime: 1209600, kernel: "6.8.8-4-pve", pveVersion: "8.2.4", ip: "192.0.2.11",
      ioDelay: pve1!.ioDelay,
    });
    expect(pve1!.ioDelay).toBeTypeOf("number");
    expect(build().nodes.find((node) => node.name === "pve2")!.load).toEqual([1.5, 1, 0.75]);
  });

  it("reads the kernel from kversion when current-kernel is absent", () => {
    const status = nodeStatus({ "current-kernel": undefined, kversion: "Linux 6.5.13-5-pve #1 SMP PREEMPT_DYNAMIC PMX 6.5.13-5 (2024-04-05T11:03Z)" });
    const inventory = build({ nodeStatuses: new Map([["pve1", status]]) });
    expect(inventory.nodes.find((node) => node.name === "pve1")!.kernel).toBe("6.5.13-5-pve");
  });

  it("gives an offline node no metrics", () => {
    const pve3 = build().nodes.find((node) => node.name === "pve3")!;
    expect(pve3).toMatchObject({ status: "offline", cpu: null, load: null, memUsed: null, uptime: null, ip: "192.0.2.13" });
  });

  it("keeps the previous node status fields when /nodes/{n}/status failed for a node still listed", () => {
    const previous = build();
    const next = build({ nodeStatuses: new Map([["pve1", nodeStatus()]]) }, { ...everything, previous });
    const pve2 = next.nodes.find((node) => node.name === "pve2")!;
    expect(pve2).toMatchObject({ load: [1.5, 1, 0.75], swapUsed: 1048576, kernel: "6.8.8-4-pve", pveVersion: "8.2.4", cpuModel: "AMD Ryzen 7 5800X 8-Core Processor" });
    // and without a previous inventory those fields are unknown, not invented
    expect(build({ nodeStatuses: new Map() }).nodes.find((node) => node.name === "pve2")).toMatchObject({ load: null, kernel: null, swapUsed: null });
  });

  it("maps storages: content list, shared flag, inactive storage without sizes", () => {
    const storages = build().storages;
    expect(storages.map((storage) => `${storage.node}/${storage.storage}`)).toEqual(["pve1/local", "pve1/nas", "pve2/cifs-Old.1", "pve2/nas"]);
    expect(storages[0]).toEqual({
      node: "pve1", storage: "local", type: "dir", status: "available", active: true, shared: false,
      content: ["backup", "iso", "vztmpl"], used: 10737418240, total: 107374182400, available: 96636764160,
    });
    expect(storages[2]).toMatchObject({ status: "unavailable", active: false, shared: true, used: null, total: null, available: null });
  });

  it("filters nodes by glob (and their guests and storages) and excludes vmids", () => {
    const inventory = build({}, { filter: { nodes: ["pve1", "PVE3"], exclude_vmids: [101] } });
    expect(inventory.nodes.map((node) => node.name)).toEqual(["pve1", "pve3"]);
    expect(inventory.guests.map((guest) => guest.vmid)).toEqual([100, 103]);
    expect(new Set(inventory.storages.map((storage) => storage.node))).toEqual(new Set(["pve1"]));
    expect(build({}, { filter: { nodes: ["pve*"], exclude_vmids: [] } }).nodes).toHaveLength(3);
    expect(build({}, { filter: { nodes: ["pve?"], exclude_vmids: [] } }).nodes).toHaveLength(3);
    expect(build({}, { filter: { nodes: ["pve"], exclude_vmids: [] } }).nodes).toHaveLength(0);
  });

  it("uses the cluster name override", () => {
    expect(build({}, { ...everything, clusterNameOverride: "home" }).cluster.name).toBe("home");
    expect(build({ clusterStatus: null }, { ...everything, clusterNameOverride: "home" }).cluster).toEqual({ name: "home", quorate: null, pveVersion: "8.2.4" });
  });

  it("names a standalone node's cluster after the node, quorate", () => {
    const standaloneStatus = [ClusterStatusRowSchema.parse({ type: "node", id: "node/solo", name: "solo", nodeid: 0, ip: "192.0.2.50", local: 1, online: 1, level: "" })];
    const standaloneResources = [
      ResourceRowSchema.parse({ type: "node", id: "node/solo", node: "solo", status: "online", cpu: 0.1, maxcpu: 4, mem: 1, maxmem: 2, disk: 1, maxdisk: 2, uptime: 10 }),
    ];
    const inventory = build({ clusterStatus: standaloneStatus, resources: standaloneResources, nodeStatuses: new Map() });
    expect(inventory.cluster).toEqual({ name: "solo", quorate: true, pveVersion: "8.2.4" });
    expect(inventory.nodes[0]!.ip).toBe("192.0.2.50");
  });

  it("refuses to guess the cluster name when /cluster/status is unreadable", () => {
    expect(() => build({ clusterStatus: null })).toThrow(ClusterNameUnknownError);
    expect(() => build({ clusterStatus: null })).toThrow(/proxmox\.cluster_name/);
  });

  it("keeps the previous cluster info and node ips when /cluster/status fails later", () => {
    const previous = build();
    const next = build({ clusterStatus: null, version: null }, { ...everything, previous });
    expect(next.cluster).toEqual({ name: "homelab", quorate: true, pveVersion: "8.2.4" });
    expect(next.nodes.find((node) => node.name === "pve2")!.ip).toBe("192.0.2.12");
  });

  it("reads a quorum loss", () => {
    const lost = clusterStatus.map((row) => (row.type === "cluster" ? { ...row, quorate: false } : row));
    expect(build({ clusterStatus: lost }).cluster.quorate).toBe(false);
  });

  it("does not change its input", () => {
    const rows = resources();
    const copy = JSON.parse(JSON.stringify(rows));
    buildInventory({ resources: buildResources(rows, everything), clusterStatus, nodeStatuses: statuses(), version, takenAt: 1 }, everything);
    expect(rows).toEqual(copy);
    expect(rawResources()).toHaveLength(rows.length);
  });
});
