import { readFileSync } from "node:fs";
import { backoffDelay, pause } from "../backoff.js";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import { MqttConnection } from "./connection.js";
import type { EmbeddedBroker } from "./embedded.js";
import { MqttConnectError } from "./errors.js";

export interface BrokerSession {
  connection: MqttConnection;
  /** The embedded broker, when `mqtt.url` is absent; closed by whoever closes the session. */
  broker: EmbeddedBroker | null;
}

export interface ConnectBrokerOptions {
  clientId: string;
  will: { topic: string; payload: string };
  log: Logger;
  reconnectPeriodMs?: number;
  /** Aborting ends the retries; the result is then null and nothing is left open. */
  signal: AbortSignal;
}

/**
 * Connects to `mqtt.url`, or starts the embedded broker and connects to it. A broker that is not
 * reachable yet is retried with back-off (a daemon must not die because the broker starts after
 * it); refused credentials are fatal.
 */
export async function connectBroker(config: Config, options: ConnectBrokerOptions): Promise<BrokerSession | null> {
  const { log, signal } = options;
  let broker: EmbeddedBroker | null = null;
  let url = config.mqtt.url;
  if (!url) {
    // aedes is loaded only when the embedded broker is used.
    const { startEmbeddedBroker } = await import("./embedded.js");
    broker = await startEmbeddedBroker({ ...config.embedded_broker, log });
    url = broker.url;
  }
  const readOptional = (path: string | undefined) => (path ? readFileSync(path, "utf8") : undefined);
  const credentials = broker ? config.embedded_broker : config.mqtt;
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      const connection = await MqttConnection.connect({
        url,
        clientId: options.clientId,
        username: credentials.username,
        password: credentials.password,
        ca: readOptional(config.mqtt.ca_file),
        cert: readOptional(config.mqtt.cert_file),
        key: readOptional(config.mqtt.key_file),
        rejectUnauthorized: config.mqtt.reject_unauthorized,
        will: { ...options.will, retain: true, qos: 1 },
        log,
        reconnectPeriodMs: options.reconnectPeriodMs,
      });
      if (!signal.aborted) return { connection, broker };
      await connection.close();
    } catch (error) {
      if (signal.aborted) break;
      if (error instanceof MqttConnectError && error.reason === "auth") {
        await broker?.close();
        throw error;
      }
      if (attempt === 0) log.warn({ err: error instanceof Error ? error.message : String(error), url }, "MQTT broker not reachable at start; retrying");
      await pause(backoffDelay(attempt, 30), signal);
    }
  }
  await broker?.close();
  return null;
}
