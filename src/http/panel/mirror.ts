import { randomBytes } from "node:crypto";
import mqtt, { type MqttClient } from "mqtt";
import type { Logger } from "../../log.js";
import type { MqttConnectionOptions } from "../../mqtt/connection.js";
import { ownFrame, toFrame } from "./frame.js";
import { RetainedReplay } from "./replay.js";

export { toFrame } from "./frame.js";

/** Where the bridge's broker is and how to log in (the embedded broker's too): the bridge's own connection settings. */
export type BrokerTarget = Pick<MqttConnectionOptions, "url" | "username" | "password" | "ca" | "cert" | "key" | "rejectUnauthorized">;

/** The bridge's own messages as it sends them, in process: its session's `Publisher`. */
export interface SentMessages {
  onSent(listener: (topic: string, payload: string) => void): () => void;
}

/** A command result or a PVE notification, as the Events view lists them. */
export interface PanelEvent {
  time: string;
  topic: string;
  payload: unknown;
}

/** Called with each message as a WebSocket frame (`{"topic","payload"}`) and its topic without the base. */
export type FrameListener = (frame: string, topic: string) => void;

const EVENTS_KEPT = 100;
/** No retained message for this long after the subscription: the broker's replay is over (see RetainedReplay). */
const REPLAY_QUIET_MS = 500;

/** Results and events (the Events view), which always come from the broker. */
function isEvent(topic: string): boolean {
  return topic.endsWith("/result") || topic === "bridge/event";
}

/** Commands and requests to the bridge: never shown. */
function isInbound(topic: string): boolean {
  return topic.endsWith("/set") || topic.startsWith("bridge/request/") || topic.startsWith("bridge/response/");
}

/**
 * The panel's own view of the bridge's topics. Results and events come through its own MQTT client,
 * always (the Events view keeps the latest 100), and so does `bridge/state` (the broker publishes
 * the bridge's will there). While at least one browser listens, the states follow too: from the
 * bridge's publisher in process once `follow` gave it (the broker's retained replay is collected
 * once through `B/#`, then that subscription is dropped), else through `B/#` for as long as a
 * browser listens. A bridge nobody looks at pays nothing per poll.
 */
export class TopicMirror {
  private client: MqttClient | null = null;
  private readonly listeners = new Set<FrameListener>();
  /** Current retained states, availability and bridge info while a browser listens: topic → frame. */
  private readonly retained = new Map<string, string>();
  private readonly recent: PanelEvent[] = [];
  private wide = false;
  private switching: Promise<void> = Promise.resolve();
  private closed = false;
  private source: SentMessages | null = null;
  private stopFollowing: (() => void) | null = null;
  /** While the broker's retained replay is collected (following the publisher only). */
  private replay: RetainedReplay | null = null;
  /** `B/#` is to be subscribed again, even if it is: a fresh replay of the retained messages. */
  private replayWanted = false;

  constructor(private readonly options: { base: string; log: Logger }) {}

  private get narrowFilters(): string[] {
    const base = this.options.base;
    return [`${base}/+/+/result`, `${base}/+/+/+/result`, `${base}/+/result`, `${base}/bridge/event`, `${base}/bridge/state`];
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
    client.on("message", (topic, payload, packet) => this.onMessage(topic, payload, packet.retain));
    client.on("close", () => this.replay?.pause());
    return new Promise((resolve) => {
      client.once("connect", () => {
        // after a reconnect, a replay cut short starts again (mqtt.js renews the subscriptions themselves)
        client.on("connect", () => {
          if (this.replay) this.replayWanted = true;
          this.reconcile();
        });
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

  /**
   * Follows the bridge's own messages in process from now on (the session's publisher, once the
   * bridge is connected): `B/#` is then subscribed only for the replay when a first browser comes.
   */
  follow(source: SentMessages): void {
    this.unfollow();
    this.source = source;
    if (this.listeners.size > 0) this.startFollowing();
    this.reconcile();
  }

  /** A browser listens: it gets every current retained message now, then each change. Returns the detach function. */
  attach(listener: FrameListener): () => void {
    for (const [topic, frame] of this.retained) listener(frame, topic);
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      // a fresh replay of the retained messages for the first browser (B/# may still be subscribed from the previous one)
      this.replayWanted = true;
      this.startFollowing();
    }
    this.reconcile();
    return () => {
      if (!this.listeners.delete(listener)) return;
      if (this.listeners.size === 0) {
        this.unfollow();
        this.retained.clear();
      }
      this.reconcile();
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  /** Whether `B/#` is currently subscribed (a browser is connected and the bridge's publisher is not followed, or its replay is collected). */
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
    this.unfollow();
    await this.switching;
    await this.client?.endAsync(true);
    this.client = null;
  }

  /** While a browser listens and a publisher is known: its messages, and the broker's replay collected once. */
  private startFollowing(): void {
    if (!this.source || this.stopFollowing || this.closed) return;
    this.stopFollowing = this.source.onSent((topic, payload) => this.onSent(topic, payload));
    this.replay = new RetainedReplay(REPLAY_QUIET_MS, () => {
      this.replay = null;
      this.reconcile();
    });
    this.replayWanted = true;
  }

  private unfollow(): void {
    this.stopFollowing?.();
    this.stopFollowing = null;
    this.replay?.pause();
    this.replay = null;
  }

  /** `B/#` while a browser listens and the states do not come from the publisher (or its replay is under way). */
  private get wantsAll(): boolean {
    return this.listeners.size > 0 && !this.closed && (this.source === null || this.replay !== null);
  }

  /** Follows `B/#` exactly while wanted; one change at a time, never a gap in results. */
  private reconcile(): void {
    this.switching = this.switching.then(async () => {
      const client = this.client;
      const want = this.wantsAll;
      if (!client?.connected || (want === this.wide && !(want && this.replayWanted))) return;
      const all = `${this.options.base}/#`;
      try {
        if (want) {
          this.replayWanted = false;
          // wide first, then drop the narrow filters: results keep flowing during the switch
          await client.subscribeAsync(all, { qos: 0 });
          this.replay?.stillComing();
          if (this.wide) return;
          this.wide = true;
          await client.unsubscribeAsync(this.narrowFilters);
        } else {
          await client.subscribeAsync(this.narrowFilters, { qos: 1 });
          await client.unsubscribeAsync(all);
          this.wide = false;
        }
      } catch (error) {
        this.options.log.debug({ err: (error as Error).message }, "panel MQTT subscription change failed");
      }
    });
  }

  /** A message the bridge's publisher handed to its connection. */
  private onSent(fullTopic: string, payload: string): void {
    const prefix = `${this.options.base}/`;
    if (!fullTopic.startsWith(prefix)) return;
    const topic = fullTopic.slice(prefix.length);
    if (isEvent(topic) || isInbound(topic) || topic === "bridge/state") return; // from the broker
    try {
      this.replay?.heard(topic);
      this.keep(topic, payload === "", ownFrame(topic, payload));
    } catch (error) {
      // never into the bridge's publishing
      this.options.log.debug({ topic, err: (error as Error).message }, "panel: a message not mirrored");
    }
  }

  private onMessage(fullTopic: string, payload: Buffer, retained: boolean): void {
    const base = this.options.base;
    if (!fullTopic.startsWith(`${base}/`)) return;
    const topic = fullTopic.slice(base.length + 1);
    if (isInbound(topic)) return;
    const text = payload.toString("utf8");
    if (isEvent(topic)) {
      const { frame, value } = toFrame(topic, text);
      this.recent.push({ time: new Date().toISOString(), topic, payload: value });
      if (this.recent.length > EVENTS_KEPT) this.recent.shift();
      for (const listener of this.listeners) listener(frame, topic);
      return;
    }
    if (retained) this.replay?.stillComing();
    if (this.source && topic !== "bridge/state") {
      // the publisher gives the changes: from the broker only its replay, for topics not heard since
      if (!this.replay?.accepts(topic)) return;
    }
    this.keep(topic, text === "", toFrame(topic, text).frame);
  }

  /** A state while a browser listens: kept for the next browser's replay, sent to those listening. */
  private keep(topic: string, cleared: boolean, frame: string): void {
    if (this.listeners.size === 0) return;
    if (cleared) this.retained.delete(topic);
    else this.retained.set(topic, frame);
    for (const listener of this.listeners) listener(frame, topic);
  }
}
