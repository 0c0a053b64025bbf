import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simGet, startHarness, type Harness } from "./harness.js";

// The field lists of CONTRACT section 4, written out here so the test checks the contract, not the code.
const NODE_FIELDS = [
  "status", "cpu", "cpus", "cpu_model", "load_1", "load_5", "load_15", "memory_used", "memory_total", "memory_percent",
  "swap_used", "swap_total", "rootfs_used", "rootfs_total", "rootfs_percent", "uptime", "boot_time", "kernel",
  "pve_version", "guests_running", "guests_total",
];
const GUEST_FIELDS = [
  "vmid", "name", "node", "type", "status", "running", "cpu", "cpus", "memory_used", "memory_total", "memory_percent",
  "disk_used", "disk_total", "disk_read_rate", "disk_write_rate", "net_in_rate", "net_out_rate", "uptime", "boot_time",
  "ha_state", "lock", "tags", "ip", "ipv4", "ipv6", "snapshots", "last_snapshot", "last_snapshot_time", "last_backup",
  "last_action",
];
const STORAGE_FIELDS = ["node", "storage", "type", "status", "active", "shared", "content", "used", "total", "available", "used_percent"];
const GUEST_STATUSES = ["running", "paused", "suspended", "hibernated", "prelaunch", "io-error", "migrating", "stopped", "unknown"];

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9_]/g, "_");

describe.each(["aedes", "mosquitto"] as const)("bridge end to end (%s)", (broker) => {
  let h: Harness;
  let resources: Array<Record<string, unknown>>;

  beforeAll(async () => {
    h = await startHarness({ broker });
    resources = await simResources(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("publishes discovery, a complete state and availability for every node, guest and storage", async () => {
    const { observer, base } = h;
    const guests = resources.filter((r) => (r.type === "qemu" || r.type === "lxc") && r.template !== 1);
    const templates = resources.filter((r) => (r.type === "qemu" || r.type === "lxc") && r.template === 1);
    const nodes = resources.filter((r) => r.type === "node");
    const storages = resources.filter((r) => r.type === "storage");
    expect(guests.length).toBeGreaterThanOrEqual(8);
    expect(templates.length).toBeGreaterThanOrEqual(1);

    for (const node of nodes) {
      const topic = `${base}/node/${slug(String(node.node))}`;
      const state = await observer.waitForJson(topic);
      expect(Object.keys(state).sort()).toEqual(expect.arrayContaining(NODE_FIELDS));
      expect(state.status).toBe("online");
      expect(typeof state.cpu).toBe("number");
      expect(state.pve_version).toMatch(/^\d+\.\d+/);
      expect(await observer.waitFor(`${topic}/availability`)).toBe("online");
    }
    for (const guest of guests) {
      const topic = `${base}/${guest.type}/${guest.vmid}`;
      const state = await observer.waitForJson(topic);
      for (const field of GUEST_FIELDS) expect(state, `${topic} lacks ${field}`).toHaveProperty(field);
      expect(GUEST_STATUSES).toContain(state.status);
      expect(state.running).toBe(state.status === "running");
      expect(state.vmid).toBe(guest.vmid);
      expect(Array.isArray(state.tags)).toBe(true);
      if (guest.type === "qemu") expect(state.disk_used).toBeNull();
      expect(await observer.waitFor(`${topic}/availability`)).toBe("online");
      await observer.waitForTopic((t) => t.startsWith("homeassistant/") && t.includes(`/${guest.type}_${guest.vmid}_`));
    }
    for (const template of templates) {
      expect(observer.last(`${base}/${template.type}/${template.vmid}`)).toBeUndefined();
    }
    for (const storage of storages) {
      const topic = `${base}/storage/${slug(String(storage.node))}/${slug(String(storage.storage))}`;
      const state = await observer.waitForJson(topic);
      for (const field of STORAGE_FIELDS) expect(state, `${topic} lacks ${field}`).toHaveProperty(field);
    }
    expect(await observer.waitFor(`${base}/bridge/state`)).toBe("online");
    const info = await observer.waitForJson(`${base}/bridge/info`);
    expect(info).toMatchObject({ cluster: "homelab", quorate: true, last_poll_result: "ok" });
    expect(info.pve_version).toMatch(/^8\./);
  });

  it("reports a paused VM as paused and a hibernated VM as hibernated, never as running", async () => {
    const paused = resources.find((r) => r.type === "qemu" && r.status === "paused");
    const hibernated = resources.find((r) => r.type === "qemu" && r.status === "stopped" && r.lock === "suspended");
    expect(paused && hibernated).toBeTruthy();
    const pausedState = await h.observer.waitForJson(`${h.base}/qemu/${paused!.vmid}`);
    expect(pausedState).toMatchObject({ status: "paused", running: false });
    const hibernatedState = await h.observer.waitForJson(`${h.base}/qemu/${hibernated!.vmid}`);
    expect(hibernatedState).toMatchObject({ status: "hibernated", running: false });
  });

  it("shows a guest created in PVE within one interval, and turns a deleted one offline", async () => {
    h.sim.addGuest({ vmid: 4242, kind: "lxc", node: "pve2", name: "newcomer", status: "running" });
    const state = await h.observer.waitForJson(`${h.base}/lxc/4242`, (s) => s.name === "newcomer", 3000);
    expect(state.node).toBe("pve2");
    await h.observer.waitFor(`${h.base}/lxc/4242/availability`, (p) => p === "online", 3000);
    h.sim.removeGuest(4242);
    await h.observer.waitFor(`${h.base}/lxc/4242/availability`, (p) => p === "offline", 3000);
    // Not deleted: its discovery stays (remove_vanished_after is not set).
    expect(h.observer.topics("homeassistant/").some((t) => t.includes("lxc_4242_"))).toBe(true);
  });

  it("turns a node offline with its guests, and back online", async () => {
    const guestOnPve3 = resources.find((r) => (r.type === "qemu" || r.type === "lxc") && r.node === "pve3" && r.template !== 1)!;
    const since = h.observer.messages.length;
    h.sim.setNodeOnline("pve3", false);
    await h.observer.waitFor(`${h.base}/node/pve3/availability`, (p) => p === "offline", 4000, since);
    await h.observer.waitFor(`${h.base}/${guestOnPve3.type}/${guestOnPve3.vmid}/availability`, (p) => p === "offline", 4000, since);
    const state = await h.observer.waitForJson(`${h.base}/${guestOnPve3.type}/${guestOnPve3.vmid}`, (s) => s.status === "unknown", 4000, since);
    expect(state.running).toBe(false);
    h.sim.setNodeOnline("pve3", true);
    await h.observer.waitFor(`${h.base}/node/pve3/availability`, (p) => p === "online", 4000, since);
  });

  it("re-publishes discovery when Home Assistant sends its birth message", async () => {
    const discoveryTopic = h.observer.topics("homeassistant/").find((t) => t.endsWith("/config"))!;
    const since = h.observer.messages.length;
    await h.observer.publish("homeassistant/status", "online");
    await h.observer.waitFor(discoveryTopic, () => true, 5000, since);
    await h.observer.waitFor(`${h.base}/node/pve1/availability`, () => true, 5000, since);
    await h.observer.waitFor(`${h.base}/node/pve1`, () => true, 5000, since);
  });

  it("does not re-send unchanged states, and costs 2 + nodes requests per steady cycle", async () => {
    const frozenAt = Date.now();
    h.sim.freeze(true);
    // Every state settles on frozen values: the first poll may still see counters move since the poll before, the second sees none.
    await h.observer.waitForPolls(h.base, { count: 2, after: frozenAt });
    // Between two polls now (one has just ended): count whole polls only.
    h.sim.clearRequests();
    const since = h.observer.messages.length;
    const started = Date.now();
    await h.observer.waitForPolls(h.base, { count: 3, after: started });
    const cycles = Math.round((Date.now() - started) / 1000);
    const stateTopics = h.observer.messages
      .slice(since)
      .filter((m) => /^pve2mqtt\/(node|qemu|lxc|storage)\//.test(m.topic) && !m.topic.endsWith("/availability") && !m.topic.endsWith("/result"));
    // A frozen cluster: only the periodic re-publish (every 10 intervals) may send a state again.
    const devices = new Set(stateTopics.map((m) => m.topic));
    for (const topic of devices) expect(stateTopics.filter((m) => m.topic === topic).length, topic).toBeLessThanOrEqual(1);

    const core = h.sim.requests.filter((r) => r.path === "/cluster/resources" || r.path === "/cluster/status" || /^\/nodes\/[^/]+\/status$/.test(r.path));
    const polls = h.sim.requests.filter((r) => r.path === "/cluster/resources").length;
    expect(polls).toBeGreaterThanOrEqual(cycles - 1);
    expect(polls).toBeLessThanOrEqual(cycles + 1);
    expect(core.length).toBe(polls * (2 + 3));
    const others = h.sim.requests.length - core.length;
    // Slow details are spread: on average far below one per guest per cycle.
    expect(others / polls).toBeLessThanOrEqual(Math.ceil(12 / 5));
    h.sim.freeze(false);
  });
});

async function simResources(h: Harness): Promise<Array<Record<string, unknown>>> {
  return (await simGet(h.sim, "/cluster/resources")) as Array<Record<string, unknown>>;
}
