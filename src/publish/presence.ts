import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import type { DiscoverySync } from "./discovery-sync.js";
import type { Availability, DeviceRecord, DeviceRecords } from "./records.js";

/**
 * Availability of each device, and what becomes of a device that vanished from PVE: offline, then
 * (with `homeassistant.remove_vanished_after`) its discovery and retained topics cleared. Messages
 * are handed to the publisher; `Publisher.settled()` says when they are out.
 */
export class Presence {
  constructor(
    private readonly records: DeviceRecords,
    private readonly publisher: Publisher,
    private readonly discovery: DiscoverySync,
    private readonly config: Config,
    private readonly log: Logger,
  ) {}

  /** Publishes the availability when it changed (or `force`). */
  set(record: DeviceRecord, value: Availability, options: { force?: boolean } = {}): void {
    if (record.availability === value && !options.force) return;
    record.availability = value;
    void this.publisher.publish(`${record.topic}/availability`, value, { retain: true, qos: 1 });
  }

  /** Every device offline (after consecutive failed polls). */
  async allOffline(): Promise<void> {
    for (const record of this.records.all()) this.set(record, "offline");
    await this.publisher.settled();
  }

  /** Handles the devices a complete poll did not have: `seen` holds the keys it had. */
  vanished(seen: ReadonlySet<string>, now: number): void {
    const removeAfter = this.config.homeassistant.remove_vanished_after;
    for (const record of [...this.records.all()]) {
      if (seen.has(record.key)) continue;
      if (record.present) this.log.info({ device: record.key }, "device vanished from PVE: marked offline");
      record.present = false;
      if (removeAfter !== undefined && now - record.lastSeen >= removeAfter * 1000) {
        this.log.info({ device: record.key }, "vanished device removed (homeassistant.remove_vanished_after)");
        this.discovery.clear(record);
        void this.publisher.clear(record.topic);
        void this.publisher.clear(`${record.topic}/availability`);
        this.records.delete(record.key);
        continue;
      }
      this.set(record, "offline");
    }
  }
}
