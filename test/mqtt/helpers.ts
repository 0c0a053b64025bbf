import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { MqttConnection, type IncomingMessage, type MqttConnectionOptions } from "../../src/mqtt/connection.js";
import { startMosquitto } from "../support/mosquitto.js";

/** A logger whose JSON lines land in `lines`. */
export function capturingLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { log: createLogger({ level: "debug", destination }), lines };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every message a connection receives, in order. */
export function recordMessages(connection: MqttConnection): IncomingMessage[] {
  const messages: IncomingMessage[] = [];
  connection.onMessage((message) => messages.push(message));
  return messages;
}

export interface TestBroker {
  url: string;
  /** Stops the broker and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAedes(log: Logger): Promise<TestBroker> {
  let broker: EmbeddedBroker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
  const port = broker.port;
  return {
    url: broker.url,
    async restart() {
      await broker.close();
      broker = await startEmbeddedBroker({ host: "127.0.0.1", port, log });
    },
    stop: () => broker.close(),
  };
}

export const BROKERS: Array<[string, (log: Logger) => Promise<TestBroker>]> = [
  ["aedes (embedded)", startAedes],
  ["mosquitto", () => startMosquitto()],
];

let clientCounter = 0;

/** Connection options for tests: a unique client id, a will under `base`, quick reconnects. */
export function connectionOptions(url: string, log: Logger, overrides: Partial<MqttConnectionOptions> = {}): MqttConnectionOptions {
  clientCounter++;
  return {
    url,
    clientId: `pve2mqtt_test_${process.pid}_${clientCounter}`,
    will: { topic: `test/${clientCounter}/state`, payload: "offline", retain: true, qos: 1 },
    log,
    reconnectPeriodMs: 100,
    ...overrides,
  };
}
