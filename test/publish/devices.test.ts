import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import type { PollOutcome } from "../../src/inventory/poller.js";
import type { GuestInfo, Inventory, NodeInfo } from "../../src/inventory/types.js";
import { silentLogger } from "../../src/log.js";
import { MqttConnection, type IncomingMessage } from "../../src/mqtt/connection.js";
import { Publisher } from "../../src/mqtt/publisher.js";
import { DeviceSync } from "../../src/publish/devices.js";
import { NO_TASKS } from "../../src/inventory/task-feed.js";
import { NO_HEALTH } from "../../src/inventory/health.js";
import { deviceDiscoveryTopics } from "../../src/homeassistant/discovery.js";
import { makeConfig, makeContext } from "../homeassistant/fixtures.js";
import { connectionOptions, recordMessages, startAedes, waitFor, type TestBroker } from "../mqtt/helpers.js";

const GUEST_TOPIC = "pve2mqtt/qemu/100";
const NODE_TOPIC = "pve2mqtt/node/pve1";

const node: NodeInfo = {
  name: "pve1", status: "online", cpu: 0.1, cpus: 8, cpuModel: "Xeon", load: [0.5, 0.4, 0.3], memUsed: 1e9, memTotal: 8e9,
  swapUsed: 0, swapTotal: 1e9, rootfsUsed: 1e9, rootfsTotal: 1e10, uptime: 5000, kernel: "6.8", pveVersion: "8.2.4", ioDelay: 0.02, ip: null,
};

function guest(fields: Partial<GuestInfo>): GuestInfo {
  return {
    kind: "qemu", vmid: 100, name: "web", node: "pve1", status: "running", cpu: 0.12341, cpus: 2, memUsed: 1e9, memTotal: 4e9,
    diskUsed: null, diskTotal: 3e10, counters: null, uptime: 1000, haState: null, lock: null, tags: [], ...fields,
  };
}

function outcome(guestInfo: GuestInfo, nodeInfo: NodeInfo = node, rates: PollOutcome["rates"] = new Map()): PollOutcome {
  const inventory: Inventory = { takenAt: 0, cluster: { name: "lab", quorate: true, pveVersion: "8.2.4" }, nodes: [nodeInfo], guests: [guestInfo], storages: [] };
  return { inventory, rates, details: new Map(), tasks: NO_TASKS, health: NO_HEALTH, backupsListed: false, requests: 0, skippedRows: 0 };
}

/** A DeviceSync publishing to an embedded broker, and what an observer subscribed to `filter` receives there. */
function syncOnBroker(config: Config, filter: string, now: () => number) {
  const setup = { received: [] as IncomingMessage[], sync: undefined as unknown as DeviceSync };
  let broker: TestBroker | undefined;
  let bridge: MqttConnection | undefined;
  let observer: MqttConnection | undefined;
  beforeAll(async () => {
    const log = silentLogger();
    broker = await startAedes(log);
    bridge = await MqttConnection.connect(connectionOptions(broker.url, log));
    observer = await MqttConnection.connect(connectionOptions(broker.url, log));
    setup.received = recordMessages(observer);
    await observer.subscribe([filter], 1);
    const context = makeContext(config);
    setup.sync = new DeviceSync({ config, publisher: new Publisher(bridge, log), log, discoveryContext: () => context, lastAction: () => null, now });
  });
  afterAll(async () => {
    await bridge?.close();
    await observer?.close();
    await broker?.stop();
  });
  return setup;
}

describe("DeviceSync states on a real broker", () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const setup = syncOnBroker(makeConfig({ homeassistant: { enabled: false } }), "pve2mqtt/#", () => now);

  const states = (topic: string) => setup.received.filter((message) => message.topic === topic).map((message) => JSON.parse(message.payload.toString()) as Record<string, unknown>);

  it("sends a state once per change: not again when only values it rounds away moved, again when its uptime moves", async () => {
    await setup.sync.sync(outcome(guest({})));
    await waitFor(() => states(GUEST_TOPIC).length === 1 && states(NODE_TOPIC).length === 1, "the first states");
    expect(states(GUEST_TOPIC)[0]).toMatchObject({ cpu: 12.3, uptime: 1000 });

    // PVE's cpu moved in a digit the state rounds away: the row changed, the payload did not
    now += 1000;
    await setup.sync.sync(outcome(guest({ cpu: 0.12344 })));
    // the next change, published after it, shows nothing was sent in between
    now += 30_000;
    await setup.sync.sync(outcome(guest({ cpu: 0.12344, uptime: 1030 }), { ...node, uptime: 5030 }));
    await waitFor(() => states(GUEST_TOPIC).length >= 2 && states(NODE_TOPIC).length >= 2, "the states after uptime moved");
    expect(states(GUEST_TOPIC).map((state) => state.uptime)).toEqual([1000, 1030]);
    expect(states(NODE_TOPIC).map((state) => state.uptime)).toEqual([5000, 5030]);

    // the same uptime again with a visible change: sent (its digest is compared, not skipped)
    now += 1000;
    await setup.sync.sync(outcome(guest({ cpu: 0.5, uptime: 1030 }), { ...node, uptime: 5030 }));
    await waitFor(() => states(GUEST_TOPIC).length >= 3, "the state after cpu moved");
    expect(states(GUEST_TOPIC)[2]).toMatchObject({ cpu: 50, uptime: 1030 });
    expect(states(NODE_TOPIC)).toHaveLength(2);
  });

  it("sends a guest's state again when only its rates changed, and not while they stay the same", async () => {
    const topic = "pve2mqtt/qemu/200";
    const db = guest({ vmid: 200, name: "db", uptime: 50 });
    const rates = (netIn: number, diskRead = 10) => new Map([["qemu/200", { diskRead, diskWrite: 20, netIn, netOut: 40 }]]);
    await setup.sync.sync(outcome(db, node, rates(30)));
    await waitFor(() => states(topic).length === 1, "the first state of qemu/200");
    expect(states(topic)[0]).toMatchObject({ net_in_rate: 30 });

    now += 1000;
    await setup.sync.sync(outcome(db, node, rates(99)));
    await waitFor(() => states(topic).length === 2, "the state with the new rate");
    expect(states(topic)[1]).toMatchObject({ net_in_rate: 99, net_out_rate: 40 });

    // equal values in new objects: nothing sent (the next change, sent after it, shows it)
    now += 1000;
    await setup.sync.sync(outcome(db, node, rates(99)));
    now += 1000;
    await setup.sync.sync(outcome(db, node, rates(99, 11)));
    await waitFor(() => states(topic).length >= 3, "the state with the next rate");
    expect(states(topic).map((state) => state.disk_read_rate)).toEqual([10, 10, 11]);
  });
});

describe("DeviceSync discovery on a real broker", () => {
  const config = makeConfig({ homeassistant: { enabled: true } });
  const context = makeContext(config);
  const setup = syncOnBroker(config, "homeassistant/#", () => Date.parse("2026-01-01T00:00:00Z"));

  const pve2: NodeInfo = { ...node, name: "pve2" };
  const withNodes = (info: GuestInfo): PollOutcome => {
    const base = outcome(info);
    return { ...base, inventory: { ...base.inventory, nodes: [node, pve2] } };
  };
  const topics = deviceDiscoveryTopics(context, { kind: "guest", guest: guest({ vmid: 300 }) });
  const configs = () => setup.received.filter((message) => topics.includes(message.topic) && message.payload.length > 0).map((message) => JSON.parse(message.payload.toString()) as { device: { name: string; via_device?: string } });

  it("re-sends a guest's discovery when its name or node changes, not when only its metrics move", async () => {
    expect(topics.length).toBeGreaterThan(5);
    await setup.sync.sync(withNodes(guest({ vmid: 300, name: "app" })));
    await waitFor(() => configs().length === topics.length, "the guest's discovery");

    // metrics moved: no discovery (the rename after it, sent after it, shows nothing came in between)
    await setup.sync.sync(withNodes(guest({ vmid: 300, name: "app", cpu: 0.9, uptime: 2000 })));
    await setup.sync.sync(withNodes(guest({ vmid: 300, name: "app2", cpu: 0.9, uptime: 2000 })));
    await waitFor(() => configs().length === 2 * topics.length, "the discovery after the rename");
    expect(configs().slice(topics.length).every((payload) => payload.device.name.includes("app2"))).toBe(true);

    // migrated to pve2: its discovery again, pointing at the new node
    await setup.sync.sync(withNodes(guest({ vmid: 300, name: "app2", node: "pve2" })));
    await waitFor(() => configs().length === 3 * topics.length, "the discovery after the migration");
    const before = configs()[topics.length]!.device.via_device;
    const after = configs()[2 * topics.length]!.device.via_device;
    expect(after).not.toBe(before);
    expect(after).toContain("pve2");
  });
});
