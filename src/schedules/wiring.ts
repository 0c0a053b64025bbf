import type { CommandRunner } from "../commands/runner.js";
import type { Config } from "../config/schema.js";
import type { DiscoveryContext } from "../homeassistant/discovery.js";
import type { Poller } from "../inventory/poller.js";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import type { PveApi } from "../pve/types.js";
import { Scheduler } from "./scheduler.js";

/** What the bridge already owns that the schedules use. */
export interface ScheduleWiring {
  api: PveApi;
  config: Config;
  log: Logger;
  now: () => number;
  poller: Poller;
  runner: CommandRunner;
  publisher: Publisher;
  discovery: DiscoveryContext;
  /** false: no cron timers (runs only when asked). Default true. */
  timers?: boolean;
}

/** The bridge's scheduler: runs go through the same command runner as MQTT commands. */
export function createScheduler(wiring: ScheduleWiring): Scheduler {
  const { api, poller, runner, publisher } = wiring;
  return new Scheduler({
    config: wiring.config,
    log: wiring.log,
    now: wiring.now,
    inventory: () => poller.current?.inventory ?? null,
    execute: (device, request) => runner.execute(device, request),
    snapshots: async (guest) => (await api.snapshots(guest.kind, guest.node, guest.vmid)).rows.map((row) => row.name),
    publish: (topic, payload, options) => publisher.publish(topic, payload, { ...options, qos: 1 }),
    clear: (topic) => publisher.clear(topic),
    discovery: wiring.config.homeassistant.enabled ? wiring.discovery : null,
    ...(wiring.timers === undefined ? {} : { timers: wiring.timers }),
  });
}
