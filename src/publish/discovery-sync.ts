import type { DiscoveryContext, DiscoveryTarget } from "../homeassistant/discovery.js";
import { deviceDiscoveryTopics, discoveryFor, retiredDiscoveryTopics } from "../homeassistant/discovery.js";
import type { Publisher } from "../mqtt/publisher.js";
import type { DeviceRecord } from "./records.js";

/**
 * Decides when a device's Home Assistant discovery goes out: on its first publication in this run
 * (removing the entities an earlier config had and this one has not), and again when what it is
 * built from changes (a rename, a migration, a new PVE version); never for moving metrics.
 */
export class DiscoverySync {
  constructor(
    private readonly publisher: Publisher,
    private readonly context: () => DiscoveryContext,
    private readonly enabled: boolean,
  ) {}

  /**
   * Hands the publisher the messages this device needs now (none when its discovery is current);
   * `Publisher.settled()` says when they are out.
   */
  sync(record: DeviceRecord, target: DiscoveryTarget): void {
    record.lastTarget = target;
    if (!this.enabled) return;
    const inputs = discoveryInputs(target);
    if (record.discovery === inputs) return;
    const context = this.context();
    if (record.discovery === null) for (const topic of retiredDiscoveryTopics(context, target)) void this.publisher.clear(topic);
    for (const message of discoveryFor(context, target)) {
      void this.publisher.publish(message.topic, JSON.stringify(message.payload), { retain: true, qos: 1 });
    }
    record.discovery = inputs;
  }

  /** Clears every discovery topic of a device (a vanished one past `remove_vanished_after`). */
  clear(record: DeviceRecord): void {
    if (!this.enabled || !record.lastTarget) return;
    for (const topic of deviceDiscoveryTopics(this.context(), record.lastTarget)) void this.publisher.clear(topic);
  }
}

/** What a device's discovery payloads are built from (its name, node, PVE version or type), as one key. */
function discoveryInputs(target: DiscoveryTarget): string {
  switch (target.kind) {
    case "bridge":
      return "bridge";
    case "node":
      return `node ${target.node.name} ${target.node.pveVersion ?? ""}`;
    case "guest":
      return `guest ${target.guest.name ?? ""} ${target.guest.node}`;
    case "storage":
      return `storage ${target.storage.type ?? ""}`;
    case "cluster":
      return `cluster ${target.hasCeph}`;
    case "disk":
      return `disk ${target.disk.model ?? ""} ${target.disk.vendor ?? ""} ${target.disk.serial ?? ""}`;
    case "zfs":
      return `zfs ${target.pool.pool}`;
  }
}
