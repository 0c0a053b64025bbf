import type { Config } from "../config/schema.js";
import type { PollOutcome } from "../inventory/poller.js";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import { describeFeatures } from "../pve/privileges.js";
import type { PveClient } from "../pve/index.js";
import type { BridgeMetrics } from "./metrics.js";
import type { Panel } from "./panel/index.js";
import type { HealthSource, HttpServer } from "./server.js";

export interface HttpSide {
  metrics: BridgeMetrics;
  panel: Panel;
  server: HttpServer;
}

export interface HttpSideOptions {
  config: Config;
  port: number;
  log: Logger;
  api: PveClient;
  health: HealthSource;
  outcome: () => PollOutcome | null;
  /** The bridge's publisher once connected to the broker (null before: notifications get 503). */
  publisher: () => Publisher | null;
  /** A poll now (a vzdump notification re-reads backups at once). */
  pollNow: () => void;
}

/**
 * The HTTP side of the bridge (`http.port`): /health, /metrics, the web panel and the PVE
 * notification endpoint. prom-client, the panel and the server are loaded only when it is wanted.
 */
export async function startHttpSide(options: HttpSideOptions): Promise<HttpSide> {
  const { config, log } = options;
  const [{ BridgeMetrics }, { startHttpServer }, { createPanel }, { createNotificationEndpoint }] = await Promise.all([
    import("./metrics.js"),
    import("./server.js"),
    import("./panel/index.js"),
    import("./notifications.js"),
  ]);
  const metrics = new BridgeMetrics();
  const panel = createPanel({
    base: config.mqtt.base_topic,
    host: config.http.host,
    token: config.http.token,
    language: config.language,
    commands: config.commands,
    privileges: async () => describeFeatures(await options.api.permissions()),
    log,
  });
  metrics.attach({ outcome: options.outcome, mqttPublished: () => options.publisher()?.publishedCount ?? 0, panelClients: () => panel.mirror.listening });
  // PVE notifications (CONTRACT section 9): published on B/bridge/event; a vzdump one re-reads backups at once.
  const secret = config.notifications.secret;
  const notifications =
    secret === undefined
      ? undefined
      : createNotificationEndpoint({
          secret,
          base: config.mqtt.base_topic,
          publisher: options.publisher,
          onNotification: (event) => {
            if (event.type === "vzdump") options.pollNow();
          },
          log,
        });
  const server = await startHttpServer({ bridge: options.health, host: config.http.host, port: options.port, log, panel, notifications });
  return { metrics, panel, server };
}
