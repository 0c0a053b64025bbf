import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "../../log.js";
import type { MqttConnectionOptions } from "../../mqtt/connection.js";

/** Where the bridge's broker is and how to log in (the embedded broker's too): the bridge's own connection settings. */
export type BrokerTarget = Pick<MqttConnectionOptions, "url" | "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized">;

/** A command result or a PVE notification, as the Events view lists them. */
export interface PanelEvent {
  time: string;
  topic: string;
  payload: unknown;
}

/** Called with each message as a WebSocket frame (`{"topic","payload"}`) and its topic without the base. */
export type FrameListener = (frame: string, topic: string) => void;

const EVENTS_KEPT = 100;

/**
 * The panel's own view of the bridge's topics, through its own MQTT client. Results and events are
 * always followed (the Events view keeps the latest 100); the whole tree `B/#` only while at least
 * one browser listens, so a bridge nobody looks at pays nothing per poll.
 */
export class TopicMirror {
  private client: MqttClient | null = null;
  private readonly listeners = new Set<FrameListener>();
  /** Current retained states, availability and bridge info while subscribed to `B/#`: topic → frame. */
  private readonly retained = new Map<string, string>();
  private readonly recent: PanelEvent[] = [];
  private wide = false;
  private switching: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: { base: string; log: Logger }) {}

  private get narrowFilters(): string[] {
    const base = this.options.base;
    return [`${base}/+/+/result`, `${base}/+/+/+/result`, `${base}/+/result`, `${base}/bridge/event`];
  }

  /**
   * Connects; resolves once connected and subscribed. Never rejects: a broker that is not reachable
   * is logged once and retried by mqtt.js, which also renews the subscriptions after a reconnect.
   */
  connect(target: BrokerTarget): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    const { log } = this.options;
    const client = mqtt.connect(target.url, {
      clientId: `pve2mqtt_panel_${randomBytes(3).toString("hex")}`,
      username: target.username,
      password: target.password,
      ca: target.ca,
      cert: target.cert,
      key: target.key,
      rejectUnauthorized: target.rejectUnauthorized ?? true,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 2000,
      resubscribe: true,
      queueQoSZero: false,
    });
    this.client = client;
    let warned = false;
    client.on("error", (error) => {
      if (warned) return log.debug({ err: error.message }, "panel MQTT client error");
      warned = true;
      log.warn({ err: error.message }, "web panel: cannot connect to the MQTT broker; retrying");
    });
    client.on("message", (topic, payload) => this.onMessage(topic, payload));
    return new Promise((resolve) => {
      client.once("connect", () => {
        client
          .subscribeAsync(this.narrowFilters, { qos: 1 })
          .then(() => {
            this.reconcile();
            return this.switching;
          })
          .catch((error: Error) => log.warn({ err: error.message }, "web panel: MQTT subscription failed"))
          .finally(resolve);
      });
    });
  }

  /** A browser listens: it gets every current retained message now, then each change. Returns the detach function. */
  attach(listener: FrameListener): () => void {
    for (const [topic, frame] of this.retained) listener(frame, topic);
    this.listeners.add(listener);
    this.reconcile();
    return () => {
      this.listeners.delete(listener);
      this.reconcile();
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  /** Whether `B/#` is currently subscribed (a browser is connected). */
  get subscribedToAll(): boolean {
    return this.wide;
  }

  /** Whether a retained state exists on this topic (without the base), i.e. the device is known. */
  has(topic: string): boolean {
    return this.retained.has(topic);
  }

  /** The PVE version from the retained `bridge/info`, while it is followed. */
  pveVersion(): string | null {
    const frame = this.retained.get("bridge/info");
    if (!frame) return null;
    try {
      const info = (JSON.parse(frame) as { payload?: { pve_version?: unknown } }).payload;
      return typeof info?.pve_version === "string" ? info.pve_version : null;
    } catch {
      return null;
    }
  }

  /** The latest results and PVE notifications, newest first. */
  events(): PanelEvent[] {
    return [...this.recent].reverse();
  }

  /** Publishes a command (QoS 1, never retained); false when the broker is not connected. */
  async publish(topic: string, payload: string): Promise<boolean> {
    const client = this.client;
    if (!client?.connected) return false;
    try {
      await client.publishAsync(`${this.options.base}/${topic}`, payload, { qos: 1, retain: false });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.switching;
    await this.client?.endAsync(true);
    this.client = null;
  }

  /** Follows `B/#` exactly while someone listens; one change at a time, never a gap in results. */
  private reconcile(): void {
    this.switching = this.switching.then(async () => {
      const client = this.client;
      const want = this.listeners.size > 0 && !this.closed;
      if (!client?.connected || want === this.wide) return;
      const all = `${this.options.base}/#`;
      try {
        if (want) {
          // wide first, then drop the narrow filters: results keep flowing during the switch
          await client.subscribeAsync(all, { qos: 0 });
          this.wide = true;
          await client.unsubscribeAsync(this.narrowFilters);
        } else {
          await client.subscribeAsync(this.narrowFilters, { qos: 1 });
          await client.unsubscribeAsync(all);
          this.wide = false;
          this.retained.clear();
        }
      } catch (error) {
        this.options.log.debug({ err: (error as Error).message }, "panel MQTT subscription change failed");
      }
    });
  }

  private onMessage(fullTopic: string, payload: Buffer): void {
    const base = this.options.base;
    if (!fullTopic.startsWith(`${base}/`)) return;
    const topic = fullTopic.slice(base.length + 1);
    if (topic.endsWith("/set") || topic.startsWith("bridge/request/") || topic.startsWith("bridge/response/")) return;
    const text = payload.toString("utf8");
    const { frame, value } = toFrame(topic, text);
    if (topic.endsWith("/result") || topic === "bridge/event") {
      this.recent.push({ time: new Date().toISOString(), topic, payload: value });
      if (this.recent.length > EVENTS_KEPT) this.recent.shift();
    } else if (this.wide) {
      if (text === "") this.retained.delete(topic);
      else this.retained.set(topic, frame);
    }
    for (const listener of this.listeners) listener(frame, topic);
  }
}

/** `{"topic","payload"}` with the payload as JSON when it is JSON, else as the string. */
export function toFrame(topic: string, text: string): { frame: string; value: unknown } {
  const quotedTopic = JSON.stringify(topic);
  try {
    const value: unknown = JSON.parse(text);
    // the text parsed, so it is valid JSON to splice in as it is (no re-serialization per browser)
    return { frame: `{"topic":${quotedTopic},"payload":${text}}`, value };
  } catch {
    return { frame: `{"topic":${quotedTopic},"payload":${JSON.stringify(text)}}`, value: text };
  }
}
