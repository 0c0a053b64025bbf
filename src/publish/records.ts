import type { DiscoveryTarget } from "../homeassistant/discovery.js";
import { deviceTopic } from "../homeassistant/topics.js";
import type { DeviceKey } from "../inventory/types.js";

/** The first segment of a device key. */
export type RecordKind = "node" | "qemu" | "lxc" | "storage" | "cluster" | "disk" | "zfs";
export type Availability = "online" | "offline";

/** What a state was last built from: the same immutable inputs give the same state. */
export interface StateInputs {
  readonly info: object;
  readonly online: boolean;
  readonly details?: object | undefined;
  readonly rates?: object | undefined;
  readonly lastAction?: object | null;
}

/** What the bridge last published for one device, and what it needs to build the next state. */
export interface DeviceRecord {
  readonly key: DeviceKey;
  readonly topic: string;
  readonly kind: RecordKind;
  /** Digest of the last state published (without `last_seen`); "" when none in this run. */
  stateDigest: string;
  /** What the last state was built from, for a cheap "nothing changed". */
  inputs: StateInputs | null;
  /** The last state's `name` and `boot_time`, which the next state keeps while nothing says otherwise. */
  previous: { name: string; boot_time: string | null } | undefined;
  cyclesSincePublish: number;
  availability: Availability | null;
  /** The key of what its discovery was last built from (discovery-sync.ts); null until published in this run. */
  discovery: string | null;
  /** The target to clear when it has vanished (kept across `forgetPublished`). */
  lastTarget: DiscoveryTarget | null;
  /** epoch ms of the last complete inventory that had this device. */
  lastSeen: number;
  present: boolean;
}

/** The record of every device the bridge knows (present, vanished, or seeded from the broker). */
export class DeviceRecords {
  private readonly records = new Map<DeviceKey, DeviceRecord>();

  constructor(private readonly base: string) {}

  get(key: DeviceKey): DeviceRecord | undefined {
    return this.records.get(key);
  }

  /** The device's record, made on its first sight. */
  obtain(key: DeviceKey, now: number, present = true): DeviceRecord {
    let record = this.records.get(key);
    if (!record) {
      record = {
        key,
        topic: deviceTopic(this.base, key),
        kind: key.split("/")[0] as RecordKind,
        stateDigest: "",
        inputs: null,
        previous: undefined,
        cyclesSincePublish: 0,
        availability: null,
        discovery: null,
        lastTarget: null,
        lastSeen: now,
        present,
      };
      this.records.set(key, record);
    }
    return record;
  }

  has(key: DeviceKey): boolean {
    return this.records.has(key);
  }

  delete(key: DeviceKey): void {
    this.records.delete(key);
  }

  all(): IterableIterator<DeviceRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }

  /** Forget what was published so the next sync re-sends discovery, availability and states. */
  forgetPublished(): void {
    for (const record of this.records.values()) {
      record.availability = null;
      record.discovery = null;
      record.stateDigest = "";
      record.inputs = null;
    }
  }

  /** Counts by kind of the devices present now, for bridge/info. */
  counts(): DeviceCounts {
    const counts = { nodes: 0, qemu: 0, lxc: 0, storages: 0, disks: 0, zfs_pools: 0 };
    const field = { node: "nodes", qemu: "qemu", lxc: "lxc", storage: "storages", disk: "disks", zfs: "zfs_pools" } as const;
    for (const record of this.records.values()) if (record.present && record.kind !== "cluster") counts[field[record.kind]]++;
    return counts;
  }
}

export type DeviceCounts = Record<"nodes" | "qemu" | "lxc" | "storages" | "disks" | "zfs_pools", number>;
