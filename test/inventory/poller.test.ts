import { describe, expect, it } from "vitest";
import { ClusterNameUnknownError } from "../../src/inventory/errors.js";
import { Poller, type PollerOptions } from "../../src/inventory/poller.js";
import { createLogger } from "../../src/log.js";
import { PveHttpError } from "../../src/pve/errors.js";
import { FakePve, type FakeGuest } from "./fake-api.js";

const CORE = new Set(["clusterResources", "clusterStatus", "clusterTasks", "nodeStatus", "version"]);

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { log, lines };
}

function poller(api: FakePve, overrides: Partial<PollerOptions> = {}) {
  let clock = Date.parse("2024-08-01T12:00:00Z");
  const options: PollerOptions = { filter: { nodes: ["*"], exclude_vmids: [] }, log: capture().log, now: () => clock, ...overrides };
  const instance = new Poller(api, options);
  return { poller: instance, tick: (ms = 30_000) => (clock += ms) };
}

function vm(vmid: number, overrides: Partial<FakeGuest> = {}): FakeGuest {
  return { kind: "qemu", vmid, node: "pve1", name: `vm${vmid}`, status: "running", config: { agent: 1 }, agent: [], ...overrides };
}

const EVERY_CYCLE = { ips: 1, snapshots: 1, backups: 1 };

describe("Poller request budget", () => {
  it("makes exactly 3 + online nodes core requests per steady cycle, /version on the first and every 100th", async () => {
    const api = new FakePve({ pve1: true, pve2: true, pve3: false });
    const { poller: p, tick } = poller(api);
    const first = await p.poll();
    expect(api.calls.filter((call) => CORE.has(call.method)).map((call) => call.method).sort()).toEqual(
      ["clusterResources", "clusterStatus", "clusterTasks", "nodeStatus", "nodeStatus", "version"],
    );
    expect(api.calls.filter((call) => call.method === "nodeStatus").map((call) => call.args[0]).sort()).toEqual(["pve1", "pve2"]);
    expect(first.requests).toBe(6);
    for (let cycle = 1; cycle < 100; cycle++) {
      api.clear();
      tick();
      const outcome = await p.poll();
      expect(outcome.requests).toBe(5);
      expect(api.calls.map((call) => call.method).sort()).toEqual(["clusterResources", "clusterStatus", "clusterTasks", "nodeStatus", "nodeStatus"]);
    }
    api.clear();
    await p.poll();
    expect(api.count("version")).toBe(1);
  });

  it("reads a new guest's details at once (at most 50 requests a poll), then once per 10 cycles, spread", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = Array.from({ length: 60 }, (_, index) => vm(100 + index * 10));
    const { poller: p, tick } = poller(api);
    const perCycle: number[] = [];
    const asked = new Map<number, number>();
    for (let cycle = 0; cycle < 30; cycle++) {
      api.clear();
      const outcome = await p.poll();
      tick();
      const agentCalls = api.calls.filter((call) => call.method === "agentInterfaces");
      perCycle.push(agentCalls.length);
      for (const call of agentCalls) asked.set(call.args[1] as number, (asked.get(call.args[1] as number) ?? 0) + 1);
      // every call this cycle is counted in the outcome
      expect(outcome.requests).toBe(api.calls.length);
    }
    // first sight: 60 configs + 60 agent calls and 60 snapshot lists, 50 requests a poll at most
    expect(perCycle.slice(0, 4).reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...perCycle.slice(0, 4))).toBeLessThanOrEqual(25);
    // then each guest once per 10 cycles: 3 or 4 calls in 30 cycles with the first one
    for (const count of asked.values()) expect(count === 3 || count === 4).toBe(true);
    expect(asked.size).toBe(60);
    expect(Math.max(...perCycle.slice(4))).toBeLessThan(20);
    // snapshots: once at first sight, then every 30 cycles
    expect(api.count("snapshots")).toBeLessThanOrEqual(120);
    // configs are read once per guest, not every time
    const { poller: again } = poller(api);
    api.clear();
    for (let cycle = 0; cycle < 20; cycle++) await again.poll();
    expect(api.count("guestConfig")).toBe(60);
  });

  it("does not call /nodes/{n}/status for an offline node, nor for filtered-out nodes", async () => {
    const api = new FakePve({ pve1: true, pve2: false, lab1: true });
    const { poller: p } = poller(api, { filter: { nodes: ["pve*"], exclude_vmids: [] } });
    const outcome = await p.poll();
    expect(api.calls.filter((call) => call.method === "nodeStatus").map((call) => call.args[0])).toEqual(["pve1"]);
    expect(outcome.inventory.nodes.map((node) => node.name)).toEqual(["pve1", "pve2"]);
  });
});

describe("Poller failures", () => {
  it("throws when /cluster/resources fails and keeps the previous outcome", async () => {
    const api = new FakePve({ pve1: true });
    const { poller: p } = poller(api);
    const first = await p.poll();
    api.failing.set("clusterResources", new PveHttpError(503, "Service Unavailable", "/cluster/resources"));
    await expect(p.poll()).rejects.toThrow("Service Unavailable");
    expect(p.current).toBe(first);
  });

  it("refuses without a cluster name when /cluster/status is forbidden, unless overridden", async () => {
    const api = new FakePve({ pve1: true });
    api.failing.set("clusterStatus", new PveHttpError(403, "Permission check failed (/, Sys.Audit)", "/cluster/status"));
    await expect(poller(api).poller.poll()).rejects.toThrow(ClusterNameUnknownError);
    expect((await poller(api, { clusterNameOverride: "home" }).poller.poll()).inventory.cluster.name).toBe("home");
  });

  it("keeps the previous cluster info when /cluster/status fails later", async () => {
    const api = new FakePve({ pve1: true });
    const { poller: p } = poller(api);
    await p.poll();
    api.failing.set("clusterStatus", new PveHttpError(500, "cfs lock timeout", "/cluster/status"));
    expect((await p.poll()).inventory.cluster).toMatchObject({ name: "homelab", quorate: true });
  });

  it("keeps a node's last status fields when /nodes/{n}/status fails, logging once and once more on recovery", async () => {
    const api = new FakePve({ pve1: true });
    const { log, lines } = capture();
    const { poller: p } = poller(api, { log });
    await p.poll();
    api.failing.set("nodeStatus", new PveHttpError(596, "Connection timed out", "/nodes/pve1/status"));
    for (let cycle = 0; cycle < 3; cycle++) {
      const node = (await p.poll()).inventory.nodes[0]!;
      expect(node).toMatchObject({ load: [0.58, 0.47, 0.41], kernel: "6.8.8-4-pve", pveVersion: "8.2.4" });
    }
    expect(lines.filter((line) => line.level === 40 && line.msg.includes("/nodes/pve1/status"))).toHaveLength(1);
    api.failing.delete("nodeStatus");
    await p.poll();
    await p.poll();
    expect(lines.filter((line) => line.level === 30 && line.msg.includes("/nodes/pve1/status"))).toHaveLength(1);
  });
});

describe("Poller details", () => {
  it("filters guest-agent IPs: no loopback, link-local, docker/veth bridges; prefixes stripped", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [
      vm(100, {
        agent: [
          { name: "lo", "ip-addresses": [{ "ip-address": "127.0.0.1", "ip-address-type": "ipv4", prefix: 8 }, { "ip-address": "::1", "ip-address-type": "ipv6", prefix: 128 }] },
          { name: "ens18", "hardware-address": "bc:24:11:00:00:01", "ip-addresses": [
            { "ip-address": "192.168.1.50", "ip-address-type": "ipv4", prefix: 24 },
            { "ip-address": "2001:db8::50", "ip-address-type": "ipv6", prefix: 64 },
            { "ip-address": "fe80::be24:11ff:fe00:1", "ip-address-type": "ipv6", prefix: 64 },
            { "ip-address": "169.254.10.1", "ip-address-type": "ipv4", prefix: 16 },
          ] },
          { name: "docker0", "ip-addresses": [{ "ip-address": "172.17.0.1", "ip-address-type": "ipv4", prefix: 16 }] },
          { name: "br-1a2b3c", "ip-addresses": [{ "ip-address": "172.18.0.1", "ip-address-type": "ipv4", prefix: 16 }] },
          { name: "veth12ab", "ip-addresses": [{ "ip-address": "fe80::1", "ip-address-type": "ipv6", prefix: 64 }] },
          { name: "ens19" },
        ],
      }),
    ];
    const outcome = await poller(api, { cadence: EVERY_CYCLE }).poller.poll();
    expect(outcome.details.get("qemu/100")).toMatchObject({ ipv4: ["192.168.1.50"], ipv6: ["2001:db8::50"] });
  });

  it("drops the details and rates of a guest that vanished, also when another took its place", async () => {
    const api = new FakePve({ pve1: true });
    const eth = [{ name: "eth0", "ip-addresses": [{ "ip-address": "10.0.0.7", "ip-address-type": "ipv4", prefix: 24 }] }];
    api.guests = [vm(100, { config: { agent: "1" }, agent: eth }), vm(101, { config: { agent: "1" }, agent: eth })];
    const { poller: p } = poller(api, { cadence: EVERY_CYCLE });
    const first = await p.poll();
    expect([...first.details.keys()].sort()).toEqual(["qemu/100", "qemu/101"]);
    api.guests = [vm(100, { config: { agent: "1" }, agent: eth }), vm(102, { config: { agent: "1" }, agent: eth })];
    const second = await p.poll();
    expect([...second.details.keys()].sort()).toEqual(["qemu/100", "qemu/102"]);
    expect([...second.rates.keys()].sort()).toEqual(["qemu/100", "qemu/102"]);
    expect(second.details.get("qemu/102")!.ipv4).toEqual(["10.0.0.7"]);
  });

  it("asks the agent only when the config enables it, in any of PVE's spellings", async () => {
    const api = new FakePve({ pve1: true });
    const eth = [{ name: "eth0", "ip-addresses": [{ "ip-address": "10.0.0.7", "ip-address-type": "ipv4", prefix: 24 }] }];
    api.guests = [
      vm(100, { config: { agent: "enabled=1,fstrim_cloned_disks=1" }, agent: eth }),
      vm(101, { config: { agent: "1" }, agent: eth }),
      vm(102, { config: { agent: "0" }, agent: eth }),
      vm(103, { config: { name: "noagent" }, agent: eth }),
      vm(104, { config: { agent: "enabled=0,type=virtio" }, agent: eth }),
    ];
    const outcome = await poller(api, { cadence: EVERY_CYCLE }).poller.poll();
    expect(api.calls.filter((call) => call.method === "agentInterfaces").map((call) => call.args[1]).sort()).toEqual([100, 101]);
    expect(outcome.details.get("qemu/100")!.ipv4).toEqual(["10.0.0.7"]);
    expect(outcome.details.get("qemu/102")!.ipv4).toEqual([]);
  });

  it("does not ask a silent agent again for 30 cycles and logs it once", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100, { agent: "QEMU guest agent is not running", uptime: 86_400 })];
    const { log, lines } = capture();
    const { poller: p } = poller(api, { cadence: EVERY_CYCLE, log });
    for (let cycle = 0; cycle < 31; cycle++) await p.poll();
    expect(api.count("agentInterfaces")).toBe(2);
    expect(lines.filter((line) => line.level === 40 && line.msg.includes("agent"))).toHaveLength(1);
  });

  it("asks the agent of a guest that just started again every 3 polls until it answers", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100, { agent: "QEMU guest agent is not running", uptime: 20 })];
    const { poller: p } = poller(api);
    for (let cycle = 0; cycle < 9; cycle++) await p.poll();
    expect(api.count("agentInterfaces")).toBe(3);
    api.guests = [vm(100, { uptime: 60, agent: [{ name: "eth0", "ip-addresses": [{ "ip-address-type": "ipv4", "ip-address": "192.0.2.50", prefix: 24 }] }] })];
    let outcome = await p.poll();
    for (let cycle = 0; cycle < 3 && outcome.details.get("qemu/100")?.ipv4.length === 0; cycle++) outcome = await p.poll();
    expect(outcome.details.get("qemu/100")?.ipv4).toEqual(["192.0.2.50"]);
  });

  it("reads lxc IPs from /interfaces, else from the config's static ip=", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [
      { kind: "lxc", vmid: 200, node: "pve1", name: "ct", status: "running", interfaces: [
        { name: "lo", hwaddr: "00:00:00:00:00:00", inet: "127.0.0.1/8", inet6: "::1/128" },
        { name: "eth0", hwaddr: "bc:24:11:00:00:02", inet: "192.168.1.60/24", inet6: "fe80::1/64" },
      ] },
      { kind: "lxc", vmid: 201, node: "pve1", name: "old", status: "running", interfaces: "Method 'GET /nodes/pve1/lxc/201/interfaces' not implemented",
        config: { hostname: "old", net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:00:03,ip=192.168.1.61/24,gw=192.168.1.1,ip6=2001:db8::61/64,type=veth", net1: "name=eth1,bridge=vmbr1,ip=dhcp" } },
    ];
    const outcome = await poller(api, { cadence: EVERY_CYCLE }).poller.poll();
    expect(outcome.details.get("lxc/200")).toMatchObject({ ipv4: ["192.168.1.60"], ipv6: [] });
    expect(outcome.details.get("lxc/201")).toMatchObject({ ipv4: ["192.168.1.61"], ipv6: ["2001:db8::61"] });
  });

  it("gives a stopped guest empty IP lists, without asking", async () => {
    const api = new FakePve({ pve1: true });
    const eth = [{ name: "eth0", "ip-addresses": [{ "ip-address": "10.0.0.7", "ip-address-type": "ipv4", prefix: 24 }] }];
    api.guests = [vm(100, { agent: eth })];
    const { poller: p } = poller(api, { cadence: EVERY_CYCLE });
    expect((await p.poll()).details.get("qemu/100")!.ipv4).toEqual(["10.0.0.7"]);
    api.guests[0]!.status = "stopped";
    api.clear();
    expect((await p.poll()).details.get("qemu/100")!.ipv4).toEqual([]);
    expect(api.count("agentInterfaces")).toBe(0);
  });

  it("re-reads a guest's config after it restarts", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100, { config: { agent: 0 }, uptime: 1000 })];
    const { poller: p } = poller(api, { cadence: EVERY_CYCLE });
    await p.poll();
    await p.poll();
    expect(api.count("guestConfig")).toBe(1);
    api.guests[0]!.config = { agent: 1 };
    api.guests[0]!.agent = [{ name: "eth0", "ip-addresses": [{ "ip-address": "10.0.0.8", "ip-address-type": "ipv4", prefix: 24 }] }];
    api.guests[0]!.uptime = 5; // rebooted
    const outcome = await p.poll();
    expect(api.count("guestConfig")).toBe(2);
    expect(outcome.details.get("qemu/100")!.ipv4).toEqual(["10.0.0.8"]);
  });

  it("counts snapshots without the current row and finds the newest by snaptime", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100, { snapshots: [
      { name: "newest", snaptime: 1722500000, description: "", vmstate: 0, parent: "first" },
      { name: "first", snaptime: 1722000000, description: "", vmstate: 1 },
    ] })];
    const outcome = await poller(api, { cadence: EVERY_CYCLE }).poller.poll();
    expect(outcome.details.get("qemu/100")).toMatchObject({ snapshots: 2, lastSnapshot: "newest", lastSnapshotTime: 1722500000_000 });
  });

  it("lists backups once per storage (a shared one once), newest ctime per vmid", async () => {
    const api = new FakePve({ pve1: true, pve2: true });
    api.guests = [vm(100), vm(101, { node: "pve2" }), vm(102)];
    const backup = (vmid: number, ctime: number) => ({ volid: `nas:backup/vzdump-qemu-${vmid}-x.vma.zst`, content: "backup", ctime, vmid, size: 1, format: "vma.zst" });
    api.storages = [
      { node: "pve1", storage: "nas", shared: true, content: "images,backup", status: "available", backups: [backup(100, 1000), backup(100, 3000), backup(101, 2000)] },
      { node: "pve2", storage: "nas", shared: true, content: "backup,images", status: "available", backups: [backup(100, 1000), backup(100, 3000), backup(101, 2000)] },
      { node: "pve1", storage: "local", shared: false, content: "backup,iso", status: "available", backups: [backup(100, 4000)] },
      { node: "pve2", storage: "local", shared: false, content: "iso", status: "available" },
      { node: "pve2", storage: "offline-nfs", shared: true, content: "backup", status: "unknown" },
    ];
    const outcome = await poller(api, { cadence: EVERY_CYCLE }).poller.poll();
    expect(api.calls.filter((call) => call.method === "storageContent").map((call) => `${call.args[0]}/${call.args[1]}`).sort()).toEqual(["pve1/local", "pve1/nas"]);
    expect(outcome.details.get("qemu/100")!.lastBackup).toBe(4_000_000);
    expect(outcome.details.get("qemu/101")!.lastBackup).toBe(2_000_000);
    expect(outcome.details.get("qemu/102")!.lastBackup).toBeNull();
  });
});

describe("Poller inventory over cycles", () => {
  it("keeps the name of a guest whose node went offline (nameless unknown row)", async () => {
    const api = new FakePve({ pve1: true, pve2: true });
    api.guests = [vm(100, { node: "pve2", name: "db" })];
    const { poller: p } = poller(api);
    await p.poll();
    api.nodes.set("pve2", false);
    const guest = (await p.poll()).inventory.guests[0]!;
    expect(guest).toMatchObject({ name: "db", status: "unknown" });
  });

  it("computes rates from consecutive polls", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100, { counters: [0, 0, 0, 0] })];
    const { poller: p, tick } = poller(api);
    expect((await p.poll()).rates.get("qemu/100")!.netIn).toBeNull();
    api.guests[0]!.counters = [30_000, 60_000, 0, 0];
    tick(30_000);
    expect((await p.poll()).rates.get("qemu/100")).toEqual({ netIn: 1000, netOut: 2000, diskRead: 0, diskWrite: 0 });
  });
});

describe("Poller.refreshGuest", () => {
  it("reads status/current, derives paused from qmpstatus and holds it over a lagging resources row", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100)];
    const { poller: p, tick } = poller(api);
    await p.poll();
    api.clear();
    api.guests[0]!.live = { vmid: 100, name: "vm100", status: "running", qmpstatus: "paused", uptime: 100, cpus: 2, mem: 1024, maxmem: 2048, ha: { managed: 0 } };
    const refreshed = await p.refreshGuest("qemu/100");
    expect(refreshed.requests).toBe(1);
    expect(api.calls.map((call) => call.method)).toEqual(["guestStatus"]);
    expect(refreshed.inventory.guests[0]!.status).toBe("paused");
    expect(p.current).toBe(refreshed);
    // resources still say running (up to 10 s behind): the live status holds
    tick(5_000);
    expect((await p.poll()).inventory.guests[0]!.status).toBe("paused");
    // once the hold has passed, resources win again
    tick(20_000);
    expect((await p.poll()).inventory.guests[0]!.status).toBe("running");
  });

  it("clears the lock and derives hibernated from status/current", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100, { lock: "backup" })];
    const { poller: p } = poller(api);
    await p.poll();
    api.guests[0]!.live = { vmid: 100, status: "stopped", qmpstatus: "stopped", lock: "suspended", uptime: 0 };
    expect((await p.refreshGuest("qemu/100")).inventory.guests[0]).toMatchObject({ status: "hibernated", lock: "suspended", name: "vm100" });
    api.guests[0]!.live = { vmid: 100, status: "running", qmpstatus: "running", uptime: 3 };
    expect((await p.refreshGuest("qemu/100")).inventory.guests[0]).toMatchObject({ status: "running", lock: null });
  });

  it("refreshes the asked details at once", async () => {
    const api = new FakePve({ pve1: true });
    api.guests = [vm(100)];
    api.storages = [{ node: "pve1", storage: "local", shared: false, content: "backup", status: "available", backups: [] }];
    const { poller: p } = poller(api);
    await p.poll();
    api.guests[0]!.snapshots = [{ name: "pve2mqtt_20240801_120000", snaptime: 1722513600 }];
    api.storages[0]!.backups = [{ volid: "local:backup/vzdump-qemu-100-2024_08_01-12_00_00.vma.zst", ctime: 1722513700, vmid: 100 }];
    api.clear();
    const outcome = await p.refreshGuest("qemu/100", { details: ["snapshots", "backups"] });
    expect(api.calls.map((call) => call.method).sort()).toEqual(["guestStatus", "snapshots", "storageContent"]);
    expect(api.calls.find((call) => call.method === "storageContent")!.args).toEqual(["pve1", "local", "backup", 100]);
    expect(outcome.details.get("qemu/100")).toMatchObject({ snapshots: 1, lastSnapshot: "pve2mqtt_20240801_120000", lastBackup: 1722513700_000 });
  });

  it("throws what PVE answered when the guest is gone from its node", async () => {
    const api = new FakePve({ pve1: true, pve2: true });
    api.guests = [vm(100)];
    const { poller: p } = poller(api);
    await p.poll();
    api.guests[0]!.node = "pve2"; // migrated
    await expect(p.refreshGuest("qemu/100")).rejects.toBeInstanceOf(PveHttpError);
  });

  it("polls when it does not know the guest yet", async () => {
    const api = new FakePve({ pve1: true });
    const { poller: p } = poller(api);
    await p.poll();
    api.guests = [vm(105)];
    const outcome = await p.refreshGuest("qemu/105");
    expect(outcome.inventory.guests.map((guest) => guest.vmid)).toEqual([105]);
  });
});
