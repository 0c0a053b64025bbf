import type { Config } from "../config/schema.js";
import type { DiscoveryContext, DiscoveryMessage, DiscoveryTarget } from "../homeassistant/discovery.js";
import { deviceDiscoveryTopics, discoveryFor, retiredDiscoveryTopics } from "../homeassistant/discovery.js";
import { digest } from "../digest.js";
import { sameValues } from "../same-values.js";
import { deviceTopic } from "../homeassistant/topics.js";
import type { PollOutcome } from "../inventory/poller.js";
import type { DeviceKey, GuestInfo, Inventory, NodeInfo, StorageInfo } from "../inventory/types.js";
import { guestKey, nodeKey, storageKey, unknownGuest } from "../inventory/types.js";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import { guestState, nodeState, storageState, type GuestCarry, type NodeCarry } from "../state/build.js";
import type { GuestDetails, GuestRates } from "../inventory/types.js";
import type { CommandResult, GuestState, NodeState, StorageState } from "../state/types.js";

/** After this many poll intervals a state is re-published even when nothing changed (CONTRACT 4). */
export const REPUBLISH_EVERY_CYCLES = 10;

type AnyState = NodeState | GuestState | StorageState;
/** The first segment of a device key. */
type DeviceKind = "node" | "qemu" | "lxc" | "storage";

/** Returned when nothing needs publishing: one shared settled promise instead of one per device. */
const DONE: Promise<void> = Promise.resolve();
type Availability = "online" | "offline";

/** What the bridge remembers of one device between cycles. */
interface DeviceRecord {
  topic: string;
  kind: DeviceKind;
  /** What the next state needs from the last one (not the whole state: less for the GC to carry). */
  carry: GuestCarry | NodeCarry | null;
  /** Digest of the last state's JSON without `last_seen`, for change detection. */
  comparable: string;
  /** What the last state was built from; the same inputs give the same state, so it is not rebuilt. */
  inputs: StateInputs | null;
  cyclesSincePublish: number;
  availability: Availability | null;
  /** Whether its discovery went out in this run (since the last `forgetPublished`). */
  discoveryPublished: boolean;
  /**
   * What its discovery was last built from (or rebuilt from a retained state): rebuilt only when
   * its inputs (name, node, version…) differ from these, and cleared from these once vanished.
   */
  discoveryTarget: DiscoveryTarget | null;
  /** epoch ms of the last complete inventory that had this device. */
  lastSeen: number;
  /** Number of the last full sync that had this device (a per-sync mark instead of a set of keys). */
  syncedIn: number;
  present: boolean;
}

export interface DeviceSyncOptions {
  config: Config;
  publisher: Publisher;
  log: Logger;
  discoveryContext: () => DiscoveryContext;
  lastAction: (key: DeviceKey) => CommandResult | null;
  now: () => number;
}

/**
 * Turns poll outcomes into MQTT messages: discovery for new or changed devices, states when they
 * change (and every REPUBLISH_EVERY_CYCLES cycles), availability, and vanished devices.
 */
export class DeviceSync {
  private readonly devices = new Map<DeviceKey, DeviceRecord>();
  private syncs = 0;
  private readonly base: string;
  private readonly haEnabled: boolean;

  constructor(private readonly options: DeviceSyncOptions) {
    this.base = options.config.mqtt.base_topic;
    this.haEnabled = options.config.homeassistant.enabled;
  }

  /** Devices known from retained states of an earlier run (for vanished-device handling across restarts). */
  seedFromBroker(retained: Map<string, Buffer>): void {
    for (const [topic, payload] of retained) {
      const seeded = seedRecord(this.base, topic, payload);
      if (!seeded || this.devices.has(seeded.key)) continue;
      this.devices.set(seeded.key, { ...freshRecord(topic, seeded.key, seeded.lastSeen, false), discoveryTarget: discoveryTarget(seeded.info) });
    }
  }

  /**
   * Publishes everything a complete poll outcome implies. Devices are taken one at a time when the
   * connection has room, so a first publication of tens of thousands of discovery configs never
   * sits in memory at once.
   */
  async sync(outcome: PollOutcome, options: { force?: boolean } = {}): Promise<void> {
    const { inventory } = outcome;
    const run: SyncRun = { outcome, now: this.options.now(), force: options.force ?? false, mark: ++this.syncs, seen: 0, pending: [], nodeOnline: new Map() };
    for (const node of inventory.nodes) run.nodeOnline.set(node.name, node.status === "online");
    const { publisher } = this.options;
    // Three loops, not one list of every device (it would live through the whole sync, long enough
    // to reach the old generation every cycle), and no callback made per sync (a new function V8
    // optimizes again each time).
    for (const node of inventory.nodes) {
      if (!publisher.hasRoom) await publisher.ready();
      this.syncListed(nodeKey(node.name), { kind: "node", info: node }, node.status === "online", run);
    }
    for (const guest of inventory.guests) {
      if (!publisher.hasRoom) await publisher.ready();
      this.syncListed(guestKey(guest.kind, guest.vmid), { kind: "guest", info: guest }, run.nodeOnline.get(guest.node) === true, run);
    }
    for (const storage of inventory.storages) {
      if (!publisher.hasRoom) await publisher.ready();
      this.syncListed(storageKey(storage.node, storage.storage), { kind: "storage", info: storage }, run.nodeOnline.get(storage.node) === true, run);
    }
    // A skipped row may be any device: only a complete answer says what vanished (the others keep
    // their last state). Every known device seen (the usual cycle): nothing vanished, no need to look.
    if (outcome.skippedRows === 0 && run.seen !== this.devices.size) run.pending.push(...this.handleVanished(run.mark, run.now));
    await Promise.all(run.pending);
    await publisher.flushed();
  }

  /** Re-publishes one guest's state now (after a command result or a per-guest refresh). */
  async syncGuest(outcome: PollOutcome, key: DeviceKey): Promise<void> {
    const guest = outcome.inventory.guests.find((g) => guestKey(g.kind, g.vmid) === key);
    if (!guest) return;
    const online = outcome.inventory.nodes.some((n) => n.name === guest.node && n.status === "online");
    const now = this.options.now();
    await Promise.all(this.syncDevice(this.recordOf(key, now), key, { kind: "guest", info: guest }, outcome, now, online, false, false));
    await this.options.publisher.flushed();
  }

  /** Every device offline (after consecutive failed polls). */
  async markAllOffline(): Promise<void> {
    await Promise.all([...this.devices.values()].map((record) => this.setAvailability(record, "offline")));
  }

  /** Forget what was published so the next sync re-sends discovery, availability and states. */
  forgetPublished(): void {
    for (const record of this.devices.values()) {
      record.availability = null;
      record.discoveryPublished = false;
      record.comparable = "";
      record.inputs = null;
    }
  }

  /** Counts by kind of the devices present now, for bridge/info. */
  counts(): Record<"nodes" | "qemu" | "lxc" | "storages", number> {
    const counts = { nodes: 0, qemu: 0, lxc: 0, storages: 0 };
    for (const record of this.devices.values()) {
      if (!record.present) continue;
      if (record.kind === "node") counts.nodes++;
      else if (record.kind === "qemu") counts.qemu++;
      else if (record.kind === "lxc") counts.lxc++;
      else counts.storages++;
    }
    return counts;
  }

  /** One device of a full sync: published as needed, and marked as seen by this sync. */
  private syncListed(key: DeviceKey, device: DeviceInput, online: boolean, run: SyncRun): void {
    const record = this.recordOf(key, run.now);
    const published = this.syncDevice(record, key, device, run.outcome, run.now, online, run.force);
    if (record.syncedIn !== run.mark) {
      record.syncedIn = run.mark;
      run.seen++;
    }
    if (published.length === 1) run.pending.push(published[0]!);
    else if (published.length > 1) run.pending.push(Promise.all(published));
  }

  /** The device's record, made on its first sight. */
  private recordOf(key: DeviceKey, now: number): DeviceRecord {
    let record = this.devices.get(key);
    if (!record) {
      record = freshRecord(deviceTopic(this.base, key), key, now, true);
      this.devices.set(key, record);
      this.options.log.debug({ device: key }, "new device");
    }
    return record;
  }

  private syncDevice(
    record: DeviceRecord,
    key: DeviceKey,
    device: DeviceInput,
    outcome: PollOutcome,
    now: number,
    online: boolean,
    force = false,
    countCycle = true,
  ): Promise<unknown>[] {
    record.present = true;
    record.lastSeen = now;
    const pending: Promise<unknown>[] = [];

    if (this.haEnabled) {
      // compared field by field: no signature string built per device and cycle
      if (!record.discoveryPublished || record.discoveryTarget === null || !sameDiscoveryInputs(record.discoveryTarget, device)) {
        const context = this.options.discoveryContext();
        const target = discoveryTarget(device);
        // A device's set of entities is fixed by the config: only the first publication of this run
        // has stale topics to remove, those of buttons an earlier config had and this one has not.
        if (!record.discoveryPublished) for (const topic of retiredDiscoveryTopics(context, target)) pending.push(this.options.publisher.clear(topic));
        for (const message of discoveryFor(context, target)) pending.push(this.publishDiscovery(message));
        record.discoveryTarget = target;
        record.discoveryPublished = true;
      }
    }

    if (countCycle) record.cyclesSincePublish++;
    const due = record.cyclesSincePublish >= REPUBLISH_EVERY_CYCLES;
    const unchanged = this.noteInputs(record, key, device, outcome, online);
    if (unchanged && !force && !due) {
      const availability = this.setAvailability(record, online ? "online" : "offline");
      if (availability !== DONE) pending.push(availability);
      return pending;
    }

    const state = this.buildState(device, outcome.inventory, record, now);
    const payload = JSON.stringify(state);
    const comparable = digest(withoutLastSeen(payload));
    if (force || due || comparable !== record.comparable) {
      // QoS 0: a state is re-sent on change, every REPUBLISH_EVERY_CYCLES and on reconnect anyway,
      // and QoS 1 acknowledgements for thousands of states a cycle cost more than they protect.
      this.options.publisher.publishUnconfirmed(record.topic, payload, true);
      record.comparable = comparable;
      record.cyclesSincePublish = 0;
    }
    record.carry = nextCarry(record.carry, state);
    const availability = this.setAvailability(record, online ? "online" : "offline", force);
    if (availability !== DONE) pending.push(availability);
    return pending;
  }

  /**
   * Notes what a guest's or storage's state is built from (a function of these alone; nodes also
   * count their guests: always built) in the record's own inputs object, updated in place rather
   * than a new object per device and cycle. Returns whether they are the same as last time. The
   * guest or storage is compared by identity: the inventory hands out last cycle's very object
   * while its values are the same (a copy with equal values only costs a state built, whose digest
   * then matches the last one).
   */
  private noteInputs(record: DeviceRecord, key: DeviceKey, device: DeviceInput, outcome: PollOutcome, online: boolean): boolean {
    if (device.kind === "node") return false;
    const guest = device.kind === "guest";
    const details = guest ? outcome.details.get(key) : undefined;
    const rates = guest ? outcome.rates.get(key) : undefined;
    const lastAction = guest ? this.options.lastAction(key) : null;
    const known = record.inputs;
    if (known === null) {
      record.inputs = { info: device.info, online, details, rates: rates && { ...rates }, lastAction };
      return false;
    }
    const same = known.online === online && known.details === details && known.lastAction === lastAction && known.info === device.info && sameValues(known.rates, rates);
    known.info = device.info;
    known.online = online;
    known.details = details;
    known.lastAction = lastAction;
    // the tracker rewrites its rates objects in place next poll: the record keeps its own copy
    if (rates === undefined) known.rates = undefined;
    else if (known.rates === undefined) known.rates = { ...rates };
    else if (!same) Object.assign(known.rates, rates);
    return same;
  }

  private buildState(device: DeviceInput, inventory: Inventory, record: DeviceRecord, now: number): AnyState {
    const inputs = record.inputs;
    switch (device.kind) {
      case "node":
        return nodeState(device.info, inventory, (record.carry as NodeCarry | null) ?? undefined, now);
      case "storage":
        return storageState(device.info, undefined, now);
      case "guest":
        // a guest's inputs were just noted for change detection (noteInputs): not looked up again
        return guestState(device.info, {
          details: inputs?.details,
          rates: inputs?.rates,
          lastAction: inputs ? inputs.lastAction : null,
          previous: (record.carry as GuestCarry | null) ?? undefined,
          now,
        });
    }
  }

  private handleVanished(mark: number, now: number): Promise<unknown>[] {
    const pending: Promise<unknown>[] = [];
    const removeAfter = this.options.config.homeassistant.remove_vanished_after;
    for (const [key, record] of this.devices) {
      if (record.syncedIn === mark) continue;
      if (record.present) this.options.log.info({ device: key }, "device vanished from PVE: marked offline");
      record.present = false;
      if (removeAfter !== undefined && now - record.lastSeen >= removeAfter * 1000) {
        this.options.log.info({ device: key }, "vanished device removed (homeassistant.remove_vanished_after)");
        if (this.haEnabled && record.discoveryTarget) {
          for (const topic of deviceDiscoveryTopics(this.options.discoveryContext(), record.discoveryTarget)) pending.push(this.options.publisher.clear(topic));
        }
        pending.push(this.options.publisher.clear(record.topic));
        pending.push(this.options.publisher.clear(`${record.topic}/availability`));
        this.devices.delete(key);
        continue;
      }
      pending.push(this.setAvailability(record, "offline"));
    }
    return pending;
  }

  private setAvailability(record: DeviceRecord, value: Availability, force = false): Promise<unknown> {
    if (record.availability === value && !force) return DONE;
    record.availability = value;
    return this.options.publisher.publish(`${record.topic}/availability`, value, { retain: true, qos: 1, force: true });
  }

  /** Forced: this class already republishes a device's discovery only when its inputs changed. */
  private publishDiscovery(message: DiscoveryMessage): Promise<unknown> {
    return this.options.publisher.publish(message.topic, JSON.stringify(message.payload), { retain: true, qos: 1, force: true });
  }
}

/**
 * The state JSON without its `last_seen` (always the last field), for change detection: one
 * stringify per device and cycle instead of two (the benchmark's CPU budget).
 */
function withoutLastSeen(payload: string): string {
  const at = payload.lastIndexOf(',"last_seen":');
  return at === -1 ? payload : payload.slice(0, at);
}

/** A device nothing has been published for yet in this run. */
function freshRecord(topic: string, key: DeviceKey, lastSeen: number, present: boolean): DeviceRecord {
  return {
    topic,
    kind: key.slice(0, key.indexOf("/")) as DeviceKind,
    carry: null,
    comparable: "",
    inputs: null,
    cyclesSincePublish: 0,
    availability: null,
    discoveryPublished: false,
    discoveryTarget: null,
    lastSeen,
    present,
    syncedIn: 0,
  };
}

/** What one full sync carries from device to device. */
interface SyncRun {
  outcome: PollOutcome;
  now: number;
  force: boolean;
  /** This sync's number: the mark of the records it saw. */
  mark: number;
  seen: number;
  pending: Promise<unknown>[];
  nodeOnline: Map<string, boolean>;
}

interface StateInputs {
  info: GuestInfo | StorageInfo;
  online: boolean;
  details: GuestDetails | undefined;
  rates: GuestRates | undefined;
  lastAction: CommandResult | null;
}

/** The carry for the next cycle; the same object while nothing in it changed. */
function nextCarry(carry: GuestCarry | NodeCarry | null, state: AnyState): GuestCarry | NodeCarry | null {
  if ("vmid" in state) {
    const guest = carry as GuestCarry | null;
    if (guest && guest.name === state.name && guest.boot_time === state.boot_time && guest.last_action === state.last_action) return guest;
    return { name: state.name, boot_time: state.boot_time, last_action: state.last_action };
  }
  if ("cpu_model" in state) {
    if (carry && carry.boot_time === state.boot_time) return carry;
    return { boot_time: state.boot_time };
  }
  return null;
}

type DeviceInput = { kind: "node"; info: NodeInfo } | { kind: "guest"; info: GuestInfo } | { kind: "storage"; info: StorageInfo };

function discoveryTarget(device: DeviceInput): DiscoveryTarget {
  switch (device.kind) {
    case "node":
      return { kind: "node", node: device.info };
    case "guest":
      return { kind: "guest", guest: device.info };
    case "storage":
      return { kind: "storage", storage: device.info };
  }
}

/** Whether the discovery payloads built from `device` would be built from the same name, node, version or type. */
function sameDiscoveryInputs(target: DiscoveryTarget, device: DeviceInput): boolean {
  switch (device.kind) {
    case "node":
      return target.kind === "node" && target.node.name === device.info.name && (target.node.pveVersion ?? "") === (device.info.pveVersion ?? "");
    case "guest":
      return target.kind === "guest" && (target.guest.name ?? "") === (device.info.name ?? "") && target.guest.node === device.info.node;
    case "storage":
      return target.kind === "storage" && (target.storage.type ?? "") === (device.info.type ?? "");
  }
}

/** Rebuilds enough of a device from its retained state JSON to know its key, topics and last_seen. */
function seedRecord(base: string, topic: string, payload: Buffer): { key: DeviceKey; info: DeviceInput; lastSeen: number } | null {
  const rest = topic.startsWith(`${base}/`) ? topic.slice(base.length + 1).split("/") : [];
  const kind = rest[0];
  if (!kind || !["node", "qemu", "lxc", "storage"].includes(kind) || rest.length !== (kind === "storage" ? 3 : 2)) return null;
  let state: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(payload.toString("utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return null;
    state = parsed as Record<string, unknown>;
  } catch {
    return null;
  }
  const lastSeen = typeof state.last_seen === "string" ? Date.parse(state.last_seen) : NaN;
  if (!Number.isFinite(lastSeen)) return null;
  const text = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);
  if (kind === "node") {
    const name = text(state.node) ?? text(state.name) ?? rest[1]!;
    return { key: nodeKey(name), info: { kind: "node", info: emptyNode(name) }, lastSeen };
  }
  if (kind === "storage") {
    const node = text(state.node);
    const storage = text(state.storage);
    if (!node || !storage) return null;
    const info: StorageInfo = { node, storage, type: text(state.type), status: "unknown", active: null, shared: false, content: [], used: null, total: null, available: null };
    return { key: storageKey(node, storage), info: { kind: "storage", info }, lastSeen };
  }
  const vmid = Number(rest[1]);
  if (!Number.isInteger(vmid) || vmid <= 0) return null;
  const guestKind = kind as "qemu" | "lxc";
  const info = unknownGuest(guestKind, vmid, text(state.name), text(state.node) ?? "");
  return { key: guestKey(guestKind, vmid), info: { kind: "guest", info }, lastSeen };
}

function emptyNode(name: string): NodeInfo {
  return {
    name,
    status: "unknown",
    cpu: null,
    cpus: null,
    cpuModel: null,
    load: null,
    memUsed: null,
    memTotal: null,
    swapUsed: null,
    swapTotal: null,
    rootfsUsed: null,
    rootfsTotal: null,
    uptime: null,
    kernel: null,
    pveVersion: null,
    ip: null,
  };
}
