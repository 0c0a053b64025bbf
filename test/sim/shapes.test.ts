import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient, type Session } from "./client.js";

const GiB = 1024 ** 3;

describe("response shapes and traps", () => {
  let clock = Date.UTC(2025, 0, 15, 12, 0, 0);
  let sim: PveSimulator;
  let client: TestClient;
  let session: Session;

  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 50, now: () => clock });
    client = new TestClient(sim);
    session = await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  const resource = async (id: string): Promise<any> => (await session.get("/cluster/resources")).json.data.find((r: any) => r.id === id);

  it("orders resources: guests by vmid as strings, then nodes, then storages per node", async () => {
    const rows = (await session.get("/cluster/resources")).json.data as any[];
    const guests = rows.filter((r) => r.type === "qemu" || r.type === "lxc").map((r) => r.vmid);
    expect(guests).toEqual([100, 1000, 101, 102, 103, 104, 105, 200, 201, 202, 203, 9000]);
    const types = rows.map((r) => r.type);
    expect(types.lastIndexOf("lxc")).toBeLessThan(types.indexOf("node"));
    expect(types.lastIndexOf("node")).toBeLessThan(types.indexOf("storage"));
    expect(rows.filter((r) => r.storage === "nas").map((r) => r.id)).toEqual(["storage/pve1/nas", "storage/pve2/nas", "storage/pve3/nas"]);
    const onlyVms = (await session.get("/cluster/resources", { type: "vm" })).json.data as any[];
    expect(onlyVms.every((r) => r.type === "qemu" || r.type === "lxc")).toBe(true);
    const badType = await session.get("/cluster/resources", { type: "pool" });
    expect(badType.status).toBe(400);
    expect(badType.json.errors.type).toContain("enumeration");
  });

  it("shows a paused VM as paused in resources but running + qmpstatus paused in status/current", async () => {
    expect((await resource("qemu/102")).status).toBe("paused");
    const current = (await session.get("/nodes/pve2/qemu/102/status/current")).json.data;
    expect(current.status).toBe("running");
    expect(current.qmpstatus).toBe("paused");
    expect(current.ha).toEqual({ managed: 0 });
  });

  it("shows a hibernated VM as stopped with lock suspended", async () => {
    const row = await resource("qemu/103");
    expect(row).toMatchObject({ status: "stopped", lock: "suspended", cpu: 0, mem: 0, uptime: 0, netin: 0 });
    expect(row.maxmem).toBe(4 * GiB);
    const current = (await session.get("/nodes/pve2/qemu/103/status/current")).json.data;
    expect([current.status, current.qmpstatus, current.lock]).toEqual(["stopped", "stopped", "suspended"]);
  });

  it("builds qemu and lxc rows with the exact fields of PVE", async () => {
    const qemu = await resource("qemu/100");
    expect(Object.keys(qemu).sort()).toEqual(
      ["cpu", "disk", "diskread", "diskwrite", "id", "maxcpu", "maxdisk", "maxmem", "mem", "name", "netin", "netout", "node", "status", "tags", "template", "type", "uptime", "vmid"].sort(),
    );
    expect(qemu.disk).toBe(0);
    expect(qemu.template).toBe(0);
    expect(qemu.tags).toBe("prod;smarthome");
    const lxc = await resource("lxc/200");
    expect(lxc.disk).toBeGreaterThan(0);
    expect((await resource("qemu/9000")).template).toBe(1);
    expect((await resource("qemu/104")).hastate).toBe("started");
    const current = (await session.get("/nodes/pve3/qemu/104/status/current")).json.data;
    expect(current.ha).toEqual({ managed: 1, group: null, state: "started" });
    expect(current.agent).toBe(1);
    const ct = (await session.get("/nodes/pve1/lxc/200/status/current")).json.data;
    expect(ct.type).toBe("lxc");
    expect(ct.qmpstatus).toBeUndefined();
  });

  it("answers node status with regex-captured strings", async () => {
    const data = (await session.get("/nodes/pve1/status")).json.data;
    expect(data.loadavg).toHaveLength(3);
    for (const value of data.loadavg) expect(typeof value).toBe("string");
    expect(typeof data.cpuinfo.mhz).toBe("string");
    expect(data.cpuinfo.hvm).toBe("1");
    expect(data.pveversion).toBe("pve-manager/8.2.4/faa83925c9641325");
    expect(data["boot-info"].mode).toBe("efi");
    expect(data.memory.total).toBeGreaterThan(data.memory.used);
  });

  it("lists cluster status rows with the local node and a cluster row", async () => {
    const rows = (await session.get("/cluster/status")).json.data as any[];
    expect(rows.find((r) => r.type === "cluster")).toMatchObject({ id: "cluster", name: "homelab", nodes: 3, quorate: 1 });
    const nodes = rows.filter((r) => r.type === "node");
    expect(nodes).toHaveLength(3);
    expect(nodes.find((r) => r.local === 1).name).toBe("pve1");
    const list = (await session.get("/nodes")).json.data as any[];
    expect(list[0].ssl_fingerprint).toBe(sim.fingerprint);
  });

  it("refuses a guest addressed on the wrong node like PVE, in the reason phrase", async () => {
    const qemu = await session.get("/nodes/pve2/qemu/100/status/current");
    expect([qemu.status, qemu.reason, qemu.json]).toEqual([500, "Configuration file 'nodes/pve2/qemu-server/100.conf' does not exist", { data: null }]);
    const lxc = await session.get("/nodes/pve2/lxc/200/config");
    expect(lxc.reason).toBe("Configuration file 'nodes/pve2/lxc/200.conf' does not exist");
  });

  it("gives agent interfaces with lo, link-local and docker0, and PVE's agent errors", async () => {
    const data = (await session.get("/nodes/pve1/qemu/100/agent/network-get-interfaces")).json.data;
    const names = data.result.map((i: any) => i.name);
    expect(names).toEqual(["lo", "eth0", "docker0"]);
    const eth0 = data.result[1]["ip-addresses"].map((a: any) => a["ip-address"]);
    expect(eth0).toContain("192.168.1.50");
    expect(eth0.some((a: string) => a.startsWith("fe80::"))).toBe(true);
    expect((await session.get("/nodes/pve2/qemu/102/agent/network-get-interfaces")).reason).toBe("No QEMU guest agent configured");
    sim.addGuest({ vmid: 300, kind: "qemu", node: "pve1", agent: true, status: "stopped" });
    expect((await session.get("/nodes/pve1/qemu/300/agent/network-get-interfaces")).reason).toBe("VM 300 is not running");
    sim.updateGuest(300, { status: "running", agentRunning: false });
    expect((await session.get("/nodes/pve1/qemu/300/agent/network-get-interfaces")).reason).toBe("QEMU guest agent is not running");
    sim.removeGuest(300);
  });

  it("gives lxc interfaces (null when stopped) and the static ip in the config", async () => {
    const ifaces = (await session.get("/nodes/pve1/lxc/200/interfaces")).json.data;
    expect(ifaces[0]).toMatchObject({ name: "lo", inet: "127.0.0.1/8" });
    expect(ifaces[1]).toMatchObject({ name: "eth0", inet: "192.168.1.60/24" });
    expect((await session.get("/nodes/pve1/lxc/203/interfaces")).json).toEqual({ data: null });
    const config = (await session.get("/nodes/pve1/lxc/200/config")).json.data;
    expect(config.hostname).toBe("pihole");
    expect(config.net0).toContain("ip=192.168.1.60/24,gw=192.168.1.1");
    const vm = (await session.get("/nodes/pve1/qemu/100/config")).json.data;
    expect(vm.agent).toBe("1");
    expect((await session.get("/nodes/pve1/qemu/101/config")).json.data.name).toBe("docker-host");
  });

  it("answers 595 for per-node calls to an offline node, and drops names after 5 minutes", async () => {
    sim.setNodeOnline("pve3", false);
    const reply = await session.get("/nodes/pve3/status");
    expect([reply.status, reply.reason]).toEqual([595, "Errors during connection establishment, proxy handshake: No route to host"]);
    const recent = await resource("node/pve3");
    expect(recent).toMatchObject({ status: "offline", maxcpu: expect.any(Number), maxmem: expect.any(Number) });
    expect((await resource("qemu/104")).name).toBe("nextcloud");
    clock += 5 * 60 * 1000 + 1000;
    expect(await resource("node/pve3")).toEqual({ id: "node/pve3", type: "node", node: "pve3", status: "offline" });
    expect(await resource("qemu/104")).toEqual({ id: "qemu/104", vmid: 104, node: "pve3", type: "qemu", status: "unknown", tags: "prod", hastate: "started" });
    expect((await resource("storage/pve3/local")).status).toBe("unknown");
    expect((await resource("storage/pve3/local")).disk).toBeUndefined();
    sim.setNodeOnline("pve3", true);
    expect((await resource("qemu/104")).name).toBe("nextcloud");
    sim.setNodeOnline("pve3", false, { offlineForMs: 10 * 60 * 1000 });
    expect((await resource("lxc/202")).status).toBe("unknown");
    sim.setNodeOnline("pve3", true);
  });

  it("lists snapshots with the current pseudo row last", async () => {
    const rows = (await session.get("/nodes/pve1/qemu/101/snapshot")).json.data;
    expect(rows).toEqual([{ name: "current", digest: expect.any(String), running: 1, description: "You are here!" }]);
  });

  it("reports storage status without a storage key, zeros when inactive, 400 for unknown ids", async () => {
    const status = (await session.get("/nodes/pve1/storage/nas/status")).json.data;
    expect(status).toMatchObject({ type: "nfs", shared: 1, enabled: 1, active: 1 });
    expect(status.storage).toBeUndefined();
    expect(status.content.split(",").sort()).toEqual(["backup", "iso"]);
    const unknown = await session.get("/nodes/pve1/storage/nope/status");
    expect([unknown.status, unknown.reason]).toEqual([400, "No such storage."]);
  });

  it("moves counters with advance() and stops uptime while frozen", async () => {
    const before = await resource("qemu/100");
    sim.advance(10_000);
    const after = await resource("qemu/100");
    expect(after.netin).toBeGreaterThan(before.netin);
    expect(after.uptime).toBe(before.uptime + 10);
    sim.freeze(true);
    const frozen = await resource("qemu/100");
    clock += 60_000;
    expect(await resource("qemu/100")).toEqual(frozen);
    sim.freeze(false);
    clock += 60_000;
    expect((await resource("qemu/100")).uptime).toBe(frozen.uptime + 60);
  });
});

describe("a standalone node and a lagging pvestatd", () => {
  let sim: PveSimulator;
  let client: TestClient;
  let clock = Date.UTC(2025, 0, 15, 12, 0, 0);

  beforeAll(async () => {
    sim = await PveSimulator.start({
      nodes: 1,
      clusterName: null,
      authFailureDelayMs: 20,
      taskDurationMs: 10,
      statsLagMs: 10_000,
      now: () => clock,
      guests: [{ vmid: 100, kind: "qemu", node: "pve1", name: "vm" }],
      storages: [{ storage: "nfs", type: "nfs", shared: true, content: ["backup"], total: 100, used: 10, active: false }],
    });
    client = new TestClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it("has one node row with nodeid 0, no cluster row, no clustername", async () => {
    const login = await client.call("POST", "/access/ticket", { form: { username: "root@pam", password: "rootpass" } });
    expect(login.json.data.clustername).toBeUndefined();
    const session = await client.login();
    const rows = (await session.get("/cluster/status")).json.data;
    expect(rows).toEqual([{ type: "node", id: "node/pve1", name: "pve1", nodeid: 0, ip: expect.any(String), local: 1, online: 1, level: expect.any(String) }]);
    const storage = (await session.get("/cluster/resources", { type: "storage" })).json.data[0];
    expect(storage.status).toBe("unknown");
    expect("disk" in storage).toBe(false);
  });

  it("reflects a state change in resources only after statsLagMs, but at once in status/current", async () => {
    const session = await client.login();
    const upid = (await session.post("/nodes/pve1/qemu/100/status/stop")).json.data;
    await session.waitTask(upid);
    expect((await session.get("/nodes/pve1/qemu/100/status/current")).json.data.status).toBe("stopped");
    expect((await session.get("/cluster/resources", { type: "vm" })).json.data[0].status).toBe("running");
    clock += 10_000;
    expect((await session.get("/cluster/resources", { type: "vm" })).json.data[0].status).toBe("stopped");
  });
});
