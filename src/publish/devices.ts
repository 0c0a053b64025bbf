import type { Config } from "../config/schema.js";
import type { DiscoveryContext, DiscoveryTarget } from "../homeassistant/discovery.js";
import { digest } from "../digest.js";
import type { PollOutcome } from "../inventory/poller.js";
import { hasCephStorage } from "../inventory/cluster-health.js";
import { allDisks, allPools } from "../inventory/health.js";
import { clusterKey, diskKey, guestKey, nodeKey, storageKey, zfsKey, type DeviceKey } from "../inventory/types.js";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import { lastSeenJson, stateJsonWithLastSeen, stateValues, type StateKind, type StateValues } from "../state/build.js";
import { clusterSource, guestCounts, guestSource, nodeSource, storageSource } from "../state/sources.js";
import type { CommandResult } from "../state/types.js";
import { DiscoverySync } from "./discovery-sync.js";
import { Presence } from "./presence.js";
import { DeviceRecords, type DeviceCounts, type DeviceRecord, type StateInputs } from "./records.js";
import { seedDevice } from "./seed.js";

/** After this many poll intervals a state is re-published even when nothing changed (CONTRACT 4). */
export const REPUBLISH_EVERY_CYCLES = 10;

export interface DeviceSyncOptions {
  config: Config;
  publisher: Publisher;
  log: Logger;
  discoveryContext: () => DiscoveryContext;
  lastAction: (key: DeviceKey) => CommandResult | null;
  now: () => number;
}

/** One device of a poll outcome, ready to be synced. */
interface DeviceInput {
  key: DeviceKey;
  kind: StateKind;
  target: DiscoveryTarget;
  /** Its availability; null: it has none of its own (the cluster exists while the bridge runs). */
  online: boolean | null;
  /** What its state is built from; null: always build (a node also counts its guests). */
  inputs: StateInputs | null;
  values: (previous: DeviceRecord["previous"], now: number) => StateValues;
}

/**
 * Turns poll outcomes into MQTT messages, through parts with one job each: DeviceRecords (what was
 * published), DiscoverySync (when discovery goes out), Presence (availability, vanished devices).
 * A state goes out when it changed, and every REPUBLISH_EVERY_CYCLES cycles.
 */
export class DeviceSync {
  private readonly records: DeviceRecords;
  private readonly discovery: DiscoverySync;
  private readonly presence: Presence;
  /** The `last_seen` of the poll being synced: one value for every device of it. */
  private lastSeen = { now: Number.NaN, json: "" };

  constructor(private readonly options: DeviceSyncOptions) {
    this.records = new DeviceRecords(options.config.mqtt.base_topic);
    this.discovery = new DiscoverySync(options.publisher, options.discoveryContext, options.config.homeassistant.enabled);
    this.presence = new Presence(this.records, options.publisher, this.discovery, options.config, options.log);
  }

  /** Devices known from retained states of an earlier run (for vanished-device handling across restarts). */
  seedFromBroker(retained: Map<string, Buffer>): void {
    for (const [topic, payload] of retained) {
      const seeded = seedDevice(this.options.config.mqtt.base_topic, topic, payload);
      if (!seeded || this.records.has(seeded.key)) continue;
      this.records.obtain(seeded.key, seeded.lastSeen, false).lastTarget = seeded.target;
    }
  }

  /**
   * Publishes everything a complete poll outcome implies. Devices are taken one at a time when the
   * connection has room, so a first publication of tens of thousands of discovery configs never
   * sits in memory at once.
   */
  async sync(outcome: PollOutcome, options: { force?: boolean } = {}): Promise<void> {
    const now = this.options.now();
    const seen = new Set<DeviceKey>();
    const { publisher } = this.options;
    for (const device of this.devicesOf(outcome)) {
      if (!publisher.hasRoom) await publisher.ready();
      seen.add(device.key);
      this.syncDevice(device, now, { force: options.force ?? false, countCycle: true });
    }
    // A skipped row may be any device: only a complete answer says what vanished (the others keep their last state).
    if (outcome.skippedRows === 0) this.presence.vanished(seen, now);
    await publisher.settled();
  }

  /** Re-publishes one guest's state now (after a command result or a per-guest refresh). */
  async syncGuest(outcome: PollOutcome, key: DeviceKey): Promise<void> {
    let device: DeviceInput | undefined;
    for (const candidate of this.devicesOf(outcome)) {
      if (candidate.key !== key) continue;
      device = candidate;
      break;
    }
    if (!device) return;
    this.syncDevice(device, this.options.now(), { force: false, countCycle: false });
    await this.options.publisher.settled();
  }

  /** Every device offline (after consecutive failed polls). */
  markAllOffline(): Promise<void> {
    return this.presence.allOffline();
  }

  /** Forget what was published so the next sync re-sends discovery, availability and states. */
  forgetPublished(): void {
    this.records.forgetPublished();
  }

  /** Counts by kind of the devices present now, for bridge/info. */
  counts(): DeviceCounts {
    return this.records.counts();
  }

  private *devicesOf(outcome: PollOutcome): Generator<DeviceInput> {
    const { inventory } = outcome;
    const online = new Map(inventory.nodes.map((node) => [node.name, node.status === "online"]));
    const counts = guestCounts(inventory);
    yield {
      key: clusterKey(),
      kind: "cluster",
      target: { kind: "cluster", hasCeph: hasCephStorage(inventory.storages.map((storage) => storage.type)) },
      online: null,
      inputs: null,
      values: (_previous, now) => stateValues("cluster", clusterSource(outcome, this.options.config.details.backup_max_age, now)),
    };
    for (const node of inventory.nodes) {
      yield {
        key: nodeKey(node.name),
        kind: "node",
        target: { kind: "node", node },
        online: node.status === "online",
        inputs: null,
        values: (previous, now) => stateValues("node", nodeSource(node, outcome, counts, previous, now)),
      };
    }
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      const lastAction = this.options.lastAction(key);
      const nodeOnline = online.get(guest.node) === true;
      yield {
        key,
        kind: "guest",
        target: { kind: "guest", guest },
        online: nodeOnline,
        inputs: { info: guest, online: nodeOnline, details: outcome.details.get(key), rates: outcome.rates.get(key), lastAction },
        values: (previous, now) => stateValues("guest", guestSource(guest, outcome, lastAction, previous, now)),
      };
    }
    for (const storage of inventory.storages) {
      const nodeOnline = online.get(storage.node) === true;
      yield {
        key: storageKey(storage.node, storage.storage),
        kind: "storage",
        target: { kind: "storage", storage },
        online: nodeOnline,
        inputs: { info: storage, online: nodeOnline },
        values: () => stateValues("storage", storageSource(storage)),
      };
    }
    for (const disk of allDisks(outcome.health)) {
      const nodeOnline = online.get(disk.node) === true;
      yield { key: diskKey(disk.node, disk.name), kind: "disk", target: { kind: "disk", disk }, online: nodeOnline, inputs: { info: disk, online: nodeOnline }, values: () => stateValues("disk", { disk }) };
    }
    for (const pool of allPools(outcome.health)) {
      const nodeOnline = online.get(pool.node) === true;
      yield { key: zfsKey(pool.node, pool.pool), kind: "zfs", target: { kind: "zfs", pool }, online: nodeOnline, inputs: { info: pool, online: nodeOnline }, values: () => stateValues("zfs", { pool }) };
    }
  }

  /** Hands the device's messages to the publisher (the caller waits for `Publisher.settled()`). */
  private syncDevice(device: DeviceInput, now: number, options: { force: boolean; countCycle: boolean }): void {
    const record = this.records.obtain(device.key, now);
    if (!record.present || record.inputs === null) this.options.log.debug({ device: device.key }, "device seen");
    record.present = true;
    record.lastSeen = now;
    this.discovery.sync(record, device.target);
    if (options.countCycle) record.cyclesSincePublish++;
    const due = record.cyclesSincePublish >= REPUBLISH_EVERY_CYCLES;
    // The inventory, rates and details are immutable values: the same objects give the same state.
    const unchanged = device.inputs !== null && record.inputs !== null && sameInputs(record.inputs, device.inputs);
    record.inputs = device.inputs;
    if (!unchanged || options.force || due) this.publishState(record, device, now, options.force || due);
    if (device.online !== null) this.presence.set(record, device.online ? "online" : "offline", { force: options.force });
  }

  /** Builds the state and publishes it when it differs from the last one published (or `always`). */
  private publishState(record: DeviceRecord, device: DeviceInput, now: number, always: boolean): void {
    const values = device.values(record.previous, now);
    const valuesJson = JSON.stringify(values);
    const stateDigest = digest(valuesJson);
    if (always || stateDigest !== record.stateDigest) {
      // QoS 0: a state is re-sent on change, every REPUBLISH_EVERY_CYCLES and on reconnect anyway.
      if (this.lastSeen.now !== now) this.lastSeen = { now, json: lastSeenJson(now) };
      this.options.publisher.publishUnconfirmed(record.topic, stateJsonWithLastSeen(valuesJson, this.lastSeen.json), true);
      record.stateDigest = stateDigest;
      record.cyclesSincePublish = 0;
    }
    if (typeof values.boot_time === "string" || values.boot_time === null) {
      record.previous = { name: typeof values.name === "string" ? values.name : "", boot_time: values.boot_time };
    }
  }
}

function sameInputs(a: StateInputs, b: StateInputs): boolean {
  return a.info === b.info && a.online === b.online && a.details === b.details && a.rates === b.rates && a.lastAction === b.lastAction;
}
