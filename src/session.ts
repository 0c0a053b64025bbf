import { CommandRunner } from "./commands/runner.js";
import type { Config } from "./config/schema.js";
import { bridgeDiscovery, type DiscoveryContext } from "./homeassistant/discovery.js";
import { bridgeTopic } from "./homeassistant/topics.js";
import { loadTranslations } from "./homeassistant/translations.js";
import type { Poller, PollOutcome } from "./inventory/poller.js";
import type { DeviceKey } from "./inventory/types.js";
import type { Logger } from "./log.js";
import type { MqttConnection } from "./mqtt/connection.js";
import { Publisher } from "./mqtt/publisher.js";
import { commandDeps } from "./publish/commands.js";
import { DeviceSync } from "./publish/devices.js";
import type { BridgeInfo } from "./publish/info.js";
import { MessageRouter, routedTopics } from "./publish/router.js";
import type { PveClient } from "./pve/index.js";
import type { Scheduler } from "./schedules/scheduler.js";
import { createScheduler } from "./schedules/wiring.js";
import type { CommandResult } from "./state/types.js";
import { BRIDGE_VERSION } from "./version.js";

/** What exists once the bridge is connected to both PVE and the broker. */
export interface Session {
  connection: MqttConnection;
  publisher: Publisher;
  sync: DeviceSync;
  runner: CommandRunner;
  router: MessageRouter;
  discovery: DiscoveryContext;
  schedules: Scheduler;
  /** `B/bridge/state` online and the bridge's own discovery. */
  publishBridge(): Promise<void>;
  /** `B/bridge/info`. */
  publishInfo(info: BridgeInfo): Promise<void>;
  /**
   * After the first poll: devices seeded from an earlier run's retained states (vanished ones are
   * handled like any other), `/set` and the rest routed, the bridge, discovery and every state
   * published, schedules restored and armed. Stops early once `stopped()`.
   */
  goOnline(outcome: PollOutcome, hooks: { stopped: () => boolean; onReconnect: () => void }): Promise<void>;
}

export interface SessionOptions {
  config: Config;
  log: Logger;
  now: () => number;
  api: PveClient;
  poller: Poller;
  connection: MqttConnection;
  cid: string;
  clusterName: string;
  /** The latest result per guest, shown as its `last_action`. */
  lastActions: Map<DeviceKey, CommandResult>;
  /** A full poll now; rejects with the poll's error when it failed. */
  pollOrThrow: () => Promise<void>;
  /** A full poll now; resolves with its error message, or null when it succeeded. */
  refreshAll: () => Promise<string | null>;
  onHomeAssistantBirth: () => void;
  onResult: (result: CommandResult) => void;
}

/** Wires the rooms that live as long as a broker session: publishing, commands, schedules, routing. */
export function createSession(options: SessionOptions): Session {
  const { config, log, now, api, poller, connection } = options;
  const publisher = new Publisher(connection, log);
  const discovery: DiscoveryContext = {
    config,
    cid: options.cid,
    clusterName: options.clusterName,
    translations: loadTranslations(config.language),
    bridgeVersion: BRIDGE_VERSION,
    webUiUrl: `${api.connectedHost() ?? config.proxmox.hosts[0]!.origin}/`,
  };
  const sync = new DeviceSync({ config, publisher, log, discoveryContext: () => discovery, lastAction: (key) => options.lastActions.get(key) ?? null, now });
  const runner = new CommandRunner(
    commandDeps({ api, config, log, now, poller, sync, publisher, lastActions: options.lastActions, pollNow: options.pollOrThrow, onResult: options.onResult }),
  );
  const schedules = createScheduler({ api, config, log, now, poller, runner, publisher, discovery });
  const router = new MessageRouter({
    config,
    publisher,
    runner,
    inventory: () => poller.current?.inventory ?? null,
    refreshAll: options.refreshAll,
    onHomeAssistantBirth: options.onHomeAssistantBirth,
    schedules,
  });
  const base = config.mqtt.base_topic;
  return {
    connection,
    publisher,
    sync,
    runner,
    router,
    discovery,
    schedules,
    async publishBridge() {
      await publisher.publish(bridgeTopic(base, "state"), "online", { retain: true, qos: 1 });
      if (!config.homeassistant.enabled) return;
      await Promise.all(bridgeDiscovery(discovery).map((m) => publisher.publish(m.topic, JSON.stringify(m.payload), { retain: true, qos: 1 })));
    },
    async publishInfo(info) {
      await publisher.publish(bridgeTopic(base, "info"), JSON.stringify(info), { retain: true, qos: 1 });
    },
    async goOnline(outcome, hooks) {
      const retained = await connection.readRetained(`${base}/#`, 300);
      sync.seedFromBroker(retained);
      if (hooks.stopped()) return;
      connection.onMessage((message) => {
        if (!hooks.stopped()) router.handle(message);
      });
      connection.onConnect(({ reconnect }) => {
        if (reconnect) hooks.onReconnect();
      });
      await connection.subscribe(routedTopics(config), 1);
      await this.publishBridge();
      await sync.sync(outcome, { force: true });
      // Schedules: enabled/last run restored from their retained states, then their timers armed.
      await schedules.start(retained);
    },
  };
}
