import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { dump } from "js-yaml";
import mqtt, { type MqttClient } from "mqtt";
import { Bridge, type BridgeOptions } from "../../src/bridge.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { createLogger, type Logger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator, type SimOptions } from "../../src/sim/index.js";
import { silentLogger } from "../../src/log.js";
import { startMosquitto } from "../support/mosquitto.js";

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

/** An MQTT client that records every message under the given filters, as a user's tool would see them. */
export class Observer {
  readonly messages: Received[] = [];
  private constructor(readonly client: MqttClient) {}

  static async connect(url: string, filters: string[], credentials: { username?: string; password?: string } = {}): Promise<Observer> {
    const client = await mqtt.connectAsync(url, { clientId: `observer_${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 200, ...credentials });
    const observer = new Observer(client);
    client.on("message", (topic, payload, packet) => {
      observer.messages.push({ topic, payload: payload.toString("utf8"), retain: packet.retain, at: Date.now() });
    });
    await client.subscribeAsync(filters, { qos: 1 });
    return observer;
  }

  /** The latest payload on a topic, or undefined. */
  last(topic: string): string | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.topic === topic) return this.messages[i]!.payload;
    return undefined;
  }

  json<T = Record<string, unknown>>(topic: string): T {
    const payload = this.last(topic);
    if (payload === undefined) throw new Error(`nothing received on ${topic}`);
    return JSON.parse(payload) as T;
  }

  on(topic: string): Received[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  topics(prefix: string): string[] {
    return [...new Set(this.messages.filter((m) => m.topic.startsWith(prefix)).map((m) => m.topic))];
  }

  /** Waits until a message on `topic` (received after `since`, a message index) satisfies `predicate`. */
  async waitFor(topic: string, predicate: (payload: string) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = since; i < this.messages.length; i++) {
        const message = this.messages[i]!;
        if (message.topic === topic && predicate(message.payload)) return message.payload;
      }
      if (Date.now() > deadline) {
        const seen = this.on(topic).map((m) => m.payload).slice(-3);
        throw new Error(`timed out waiting for ${topic}; last payloads: ${JSON.stringify(seen)}`);
      }
      await sleep(25);
    }
  }

  /** Waits until some topic satisfies `predicate` (retained messages may still be arriving). */
  async waitForTopic(predicate: (topic: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find((m) => predicate(m.topic));
      if (found) return found.topic;
      if (Date.now() > deadline) throw new Error("timed out waiting for a matching topic");
      await sleep(25);
    }
  }

  async waitForJson<T = Record<string, unknown>>(topic: string, predicate: (value: T) => boolean = () => true, timeoutMs = 10_000, since = 0): Promise<T> {
    const payload = await this.waitFor(
      topic,
      (text) => {
        try {
          return predicate(JSON.parse(text) as T);
        } catch {
          return false;
        }
      },
      timeoutMs,
      since,
    );
    return JSON.parse(payload) as T;
  }

  /**
   * Waits until `count` polls that began after `after` (default: now) have ended, as `base/bridge/info`
   * tells: its `last_poll` (the end) less `last_poll_duration` is when a poll began, and `last_poll`
   * changes every poll (a re-publish of the same poll is not counted). The bridge publishes a poll's
   * states before its bridge/info, so what that poll sent has arrived too. Returns the latest info.
   */
  async waitForPolls(base: string, options: { count?: number; after?: number; timeoutMs?: number } = {}): Promise<PollInfo> {
    const { count = 1, after = Date.now(), timeoutMs = 15_000 } = options;
    const topic = `${base}/bridge/info`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ended = new Map<string, PollInfo>();
      for (const message of this.messages) {
        if (message.topic !== topic) continue;
        const info = parseInfo(message.payload);
        if (info?.last_poll && pollBegan(info) > after) ended.set(info.last_poll, info);
      }
      if (ended.size >= count) return [...ended.values()].at(-1)!;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} poll(s) after ${new Date(after).toISOString()}; ${ended.size} seen`);
      await sleep(25);
    }
  }

  publish(topic: string, payload: string, options: { retain?: boolean } = {}): Promise<unknown> {
    return this.client.publishAsync(topic, payload, { qos: 1, retain: options.retain ?? false });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** The part of `B/bridge/info` that dates a poll. */
export interface PollInfo extends Record<string, unknown> {
  last_poll: string | null;
  last_poll_duration: number | null;
  last_poll_result: string | null;
}

function parseInfo(payload: string): PollInfo | null {
  try {
    return JSON.parse(payload) as PollInfo;
  } catch {
    return null;
  }
}

/** When the poll began (epoch ms): its end less its duration, both in bridge/info. */
function pollBegan(info: PollInfo): number {
  return Date.parse(info.last_poll!) - Math.round((info.last_poll_duration ?? 0) * 1000);
}

export interface HarnessOptions {
  sim?: SimOptions;
  /** Config keys merged over the defaults below (same shape as config.yaml). */
  config?: Record<string, unknown>;
  broker?: "aedes" | "mosquitto" | "embedded-by-bridge";
  tuning?: BridgeOptions["tuning"];
  /** Capture log lines (JSON) in `logs` instead of dropping them. */
  captureLogs?: boolean;
  logLevel?: string;
  /** The bridge's clock (default Date.now). */
  now?: () => number;
  /** Runs after the simulator started and before the bridge starts (a host down at start, faults). */
  beforeBridge?: (sim: PveSimulator) => Promise<void> | void;
}

export interface Harness {
  sim: PveSimulator;
  bridge: Bridge;
  observer: Observer;
  config: Config;
  brokerUrl: string;
  logs: string[];
  base: string;
  /** Stops the bridge (and only the bridge). */
  stopBridge(): Promise<void>;
  /** Starts a second bridge with the same config (restart scenarios). */
  restartBridge(): Promise<Bridge>;
  restartBroker?: () => Promise<void>;
  stop(): Promise<void>;
}

/** The longest random wait of a harness bridge before it re-publishes for Home Assistant's birth message. */
export const HARNESS_BIRTH_DELAY_MS = 50;

export const SIM_USER = "pve2mqtt@pve";
export const SIM_PASSWORD = "secret-password";

/** Starts simulator, broker, bridge and observer; everything on 127.0.0.1, ephemeral ports. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 150, haDelayMs: 600, ...options.sim });
  let broker: EmbeddedBroker | null = null;
  let mosquitto: Awaited<ReturnType<typeof startMosquitto>> | null = null;
  let brokerUrl: string | undefined;
  const mode = options.broker ?? "aedes";
  if (mode === "aedes") {
    broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    brokerUrl = broker.url;
  } else if (mode === "mosquitto") {
    mosquitto = await startMosquitto();
    brokerUrl = mosquitto.url;
  }

  const base = "pve2mqtt";
  const config = testConfig(sim, brokerUrl, { log: { level: options.logLevel ?? "debug" }, ...options.config });

  const logs: string[] = [];
  const log: Logger = options.captureLogs
    ? createLogger({ level: config.log.level, destination: new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } }) })
    : silentLogger();
  const tuning = { birthDelayMs: HARNESS_BIRTH_DELAY_MS, mqttReconnectMs: 200, ...options.tuning, pve: { hostRetryBaseMs: 500, retryBaseMs: 20, ...options.tuning?.pve } };

  await options.beforeBridge?.(sim);
  let bridge = new Bridge({ config, log, tuning, ...(options.now ? { now: options.now } : {}) });
  await bridge.start();
  const url = brokerUrl ?? bridge.brokerUrl!;
  const embeddedCredentials = brokerUrl ? {} : { username: config.embedded_broker.username, password: config.embedded_broker.password };
  const observer = await Observer.connect(url, [`${base}/#`, "homeassistant/#"], embeddedCredentials);

  const harness: Harness = {
    sim,
    bridge,
    observer,
    config,
    brokerUrl: url,
    logs,
    base,
    stopBridge: () => bridge.stop(),
    async restartBridge() {
      await bridge.stop();
      bridge = new Bridge({ config, log, tuning, ...(options.now ? { now: options.now } : {}) });
      harness.bridge = bridge;
      await bridge.start();
      return bridge;
    },
    async stop() {
      await observer.close().catch(() => undefined);
      await bridge.stop().catch(() => undefined);
      await broker?.close().catch(() => undefined);
      await mosquitto?.stop().catch(() => undefined);
      await sim.stop();
    },
  };
  if (mosquitto) harness.restartBroker = () => mosquitto!.restart();
  return harness;
}

/**
 * The config a test bridge runs with: the simulator's hosts pinned by fingerprint, the given broker
 * (else the embedded one on a free port), 1 s polls; `overrides` in config.yaml's shape are merged
 * over it. Written to a temp file and read back through the real loader.
 */
export function testConfig(sim: PveSimulator, brokerUrl: string | undefined, overrides: Record<string, unknown> = {}): Config {
  const raw = deepMerge(
    {
      proxmox: { hosts: sim.urls.join(","), user: SIM_USER, password: SIM_PASSWORD, fingerprint: [sim.fingerprint], timeout: 5 },
      mqtt: brokerUrl ? { url: brokerUrl, base_topic: "pve2mqtt" } : { base_topic: "pve2mqtt" },
      embedded_broker: { host: "127.0.0.1", port: 0 },
      poll: { interval: 1 },
    },
    overrides,
  );
  const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-e2e-"));
  try {
    writeFileSync(join(dir, "config.yaml"), dump(raw));
    return loadConfig({ path: join(dir, "config.yaml"), env: {} });
  } finally {
    rmSync(dir, { recursive: true, force: true }); // read into memory: the file is not needed any more
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const existing = out[key];
    if (value && typeof value === "object" && !Array.isArray(value) && existing && typeof existing === "object" && !Array.isArray(existing)) {
      out[key] = deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Reads the simulator's API directly (raw JSON, as PVE sends it): the ground truth for assertions. */
export async function simGet(sim: PveSimulator, path: string): Promise<unknown> {
  const { Agent, request } = await import("undici");
  const dispatcher = new Agent({ connect: { ca: sim.certPem } });
  try {
    const login = await request(`${sim.urls[0]}/api2/json/access/ticket`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: SIM_USER, password: SIM_PASSWORD }).toString(),
    });
    const ticket = ((await login.body.json()) as { data: { ticket: string } }).data.ticket;
    const response = await request(`${sim.urls[0]}/api2/json${path}`, { dispatcher, headers: { cookie: `PVEAuthCookie=${ticket}` } });
    return ((await response.body.json()) as { data: unknown }).data;
  } finally {
    await dispatcher.close();
  }
}
