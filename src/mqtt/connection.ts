import { connect, type IClientOptions, type ISubscriptionMap, type MqttClient } from "mqtt";
import type { Logger } from "../log.js";
import { withTimeout } from "../backoff.js";
import { describeConnectError, MqttConnectError, safeUrl } from "./errors.js";
import { topicMatches } from "./topic.js";

export interface MqttConnectionOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  will: { topic: string; payload: string; retain: true; qos: 1 };
  log: Logger;
  /** Delay between reconnect attempts; default 5000. Reconnects forever. */
  reconnectPeriodMs?: number;
}

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  retain: boolean;
}

type ConnectListener = (info: { reconnect: boolean }) => void;
type MessageListener = (message: IncomingMessage) => void;

const DEFAULT_FIRST_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_QUIET_MS = 500;
const CLOSE_TIMEOUT_MS = 3_000;

/**
 * One MQTT client connection (mqtt.js, clean session, MQTT 3.1.1) with a retained will.
 *
 * While disconnected, `publish` drops the message and resolves `false` instead of queueing it:
 * a state bridge republishes everything on reconnect, so a backlog of stale states would only
 * delay the fresh ones. Subscriptions made with `subscribe` are renewed by mqtt.js after every
 * reconnect.
 */
export class MqttConnection {
  private readonly connectListeners = new Set<ConnectListener>();
  private readonly messageListeners = new Set<MessageListener>();
  private readonly subscribedFilters = new Set<string>();
  private readonly pendingReads = new Set<() => void>();
  private connectCount = 0;
  /** Whether the socket is corked until the end of this tick (gatherThisTick). */
  private gathering = false;
  private closed = false;

  private constructor(
    private readonly client: MqttClient,
    private readonly options: MqttConnectionOptions,
  ) {
    const { log } = options;
    client.on("connect", () => {
      this.connectCount++;
      const reconnect = this.connectCount > 1;
      if (reconnect) log.info({ broker: safeUrl(options.url) }, "reconnected to the MQTT broker");
      for (const listener of [...this.connectListeners]) this.safely(() => listener({ reconnect }), "connect listener");
    });
    let up = false;
    client.on("connect", () => {
      up = true;
      // A QoS 1 publish right after a burst of states would otherwise wait for the broker's
      // delayed ACK (~40 ms, Nagle's algorithm): the bridge's messages are already whole packets.
      (client.stream as { setNoDelay?: (noDelay: boolean) => unknown } | undefined)?.setNoDelay?.(true);
    });
    client.on("close", () => {
      // once per outage, not once per failed reconnect attempt
      if (up && !this.closed) log.warn({ broker: safeUrl(options.url), retry_ms: options.reconnectPeriodMs ?? 5000 }, "lost the connection to the MQTT broker; reconnecting");
      up = false;
    });
    client.on("error", (error) => log.debug({ err: error.message }, "MQTT client error"));
    client.on("message", (topic, payload, packet) => {
      const message: IncomingMessage = { topic, payload, retain: packet.retain };
      for (const listener of [...this.messageListeners]) this.safely(() => listener(message), "message listener");
    });
  }

  /** Resolves on the first CONNACK; rejects with an MqttConnectError (bad credentials, refused, timeout). */
  static connect(options: MqttConnectionOptions, firstConnectTimeoutMs = DEFAULT_FIRST_CONNECT_TIMEOUT_MS): Promise<MqttConnection> {
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      username: options.username,
      password: options.password,
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), retain: true, qos: 1 },
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: options.reconnectPeriodMs ?? 5000,
      connectTimeout: 30_000,
      reconnectOnConnackError: true,
      resubscribe: true,
      queueQoSZero: false,
      // mqtt.js traces every packet through the `debug` package, which allocates its arguments even
      // when tracing is off (~10 calls per publish): a no-op saves that work on every message.
      log: noTrace,
      // Without this, mqtt-packet keeps 65,536 pre-built number buffers alive (~6 MB, and 65k
      // objects for every full garbage collection to mark) to save two tiny allocations a packet.
      writeCache: false,
    };
    const client = connect(options.url, clientOptions);
    const connection = new MqttConnection(client, options);
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        client.off("connect", onConnect);
        client.off("error", onError);
      };
      const fail = (error: MqttConnectError) => {
        cleanup();
        connection.closed = true;
        client.end(true);
        reject(error);
      };
      const onConnect = () => {
        cleanup();
        options.log.info({ broker: safeUrl(options.url), client_id: options.clientId }, "connected to the MQTT broker");
        resolve(connection);
      };
      const onError = (error: Error) => fail(describeConnectError(error, options.url));
      const timer = setTimeout(
        () => fail(new MqttConnectError("timeout", `MQTT broker at ${safeUrl(options.url)} did not accept the connection within ${firstConnectTimeoutMs} ms; check mqtt.url and that the broker runs`)),
        firstConnectTimeoutMs,
      );
      client.on("connect", onConnect);
      client.on("error", onError);
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Called on every (re)connect, `reconnect: false` only for the first connection. A listener
   * registered while connected is also called once right away (on a microtask) for the current
   * connection, so one handler can serve the first connection and every reconnect.
   */
  onConnect(listener: ConnectListener): () => void {
    this.connectListeners.add(listener);
    if (this.client.connected) {
      queueMicrotask(() => {
        if (this.connectListeners.has(listener) && this.client.connected) this.safely(() => listener({ reconnect: this.connectCount > 1 }), "connect listener");
      });
    }
    return () => this.connectListeners.delete(listener);
  }

  onMessage(listener: MessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Subscribes; mqtt.js renews these subscriptions after every reconnect (clean session). */
  async subscribe(filters: string[], qos: 0 | 1): Promise<void> {
    if (filters.length === 0) return;
    for (const filter of filters) this.subscribedFilters.add(filter);
    const grants = await this.client.subscribeAsync(filters, { qos });
    const refused = grants.filter((grant) => grant.qos === 128).map((grant) => grant.topic);
    if (refused.length > 0) throw new Error(`the MQTT broker refused the subscription to ${refused.join(", ")}; check the broker's ACL`);
  }

  /** Resolves true once sent (QoS 1: acknowledged), false when dropped because the connection is down. Never throws. */
  publish(topic: string, payload: string | Buffer, options: { retain: boolean; qos: 0 | 1 }): Promise<boolean> {
    if (!this.client.connected || this.closed) {
      this.options.log.debug({ topic }, "MQTT not connected: message dropped");
      return Promise.resolve(false);
    }
    return new Promise((resolve) => {
      try {
        this.gatherThisTick();
        this.client.publish(topic, payload, { retain: options.retain, qos: options.qos }, (error) => {
          if (error) this.options.log.debug({ topic, err: error.message }, "MQTT publish failed: message dropped");
          resolve(!error);
        });
      } catch (error) {
        this.options.log.debug({ topic, err: (error as Error).message }, "MQTT publish failed: message dropped");
        resolve(false);
      }
    });
  }

  /**
   * Publishes at QoS 0 through mqtt.js without waiting for anything: false when dropped (not
   * connected). For the thousands of states of a cycle; `writable` and `drained()` give the
   * back-pressure.
   */
  publishUnconfirmed(topic: string, payload: string, retain: boolean): boolean {
    if (!this.client.connected || this.client.disconnecting || this.closed) return false;
    try {
      this.gatherThisTick();
      this.client.publish(topic, payload, { qos: 0, retain });
      return true;
    } catch (error) {
      this.options.log.debug({ topic, err: (error as Error).message }, "MQTT publish failed: message dropped");
      return false;
    }
  }

  /**
   * Node's own stream batching (cork/uncork): the messages published in one tick (a poll's states,
   * the discovery configs in flight at start-up) leave in one socket write instead of one each
   * (docs/performance.md has the measurement).
   */
  private gatherThisTick(): void {
    const stream = this.client.stream;
    if (this.gathering || !stream) return;
    this.gathering = true;
    stream.cork();
    process.nextTick(() => {
      this.gathering = false;
      stream.uncork();
    });
  }

  /** Whether the socket takes more without buffering past its high-water mark. */
  get writable(): boolean {
    return !this.client.stream?.writableNeedDrain;
  }

  /** Resolves once the socket's buffer has been handed to the system (at once when it needs no drain, or when the socket closes). */
  drained(): Promise<void> {
    const stream = this.client.stream;
    if (!stream?.writableNeedDrain || stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        stream.off("drain", done).off("close", done);
        resolve();
      };
      stream.on("drain", done).on("close", done);
    });
  }

  /** Reads the retained messages under a filter: subscribe, collect the retained ones until `quietMs` passes without a new one, unsubscribe. */
  readRetained(filter: string, quietMs = DEFAULT_QUIET_MS): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        stopListening();
        this.pendingReads.delete(finish);
        // a filter also subscribed for good must stay subscribed
        if (!this.subscribedFilters.has(filter) && !this.closed) {
          this.client.unsubscribeAsync(filter).catch((error: Error) => this.options.log.debug({ filter, err: error.message }, "MQTT unsubscribe failed"));
        }
        resolve(found);
      };
      const waitForQuiet = () => {
        clearTimeout(timer);
        timer = setTimeout(finish, quietMs);
      };
      const stopListening = this.onMessage((message) => {
        if (!message.retain || message.payload.length === 0 || !topicMatches(filter, message.topic)) return;
        found.set(message.topic, message.payload);
        waitForQuiet();
      });
      this.pendingReads.add(finish);
      // resubscribe: mqtt.js would skip a filter it already holds, and only a new SUBSCRIBE makes the broker re-send retained messages
      const subscription = { [filter]: { qos: 1 as const }, resubscribe: true } as ISubscriptionMap;
      this.client.subscribeAsync(subscription).then(waitForQuiet, (error: Error) => {
        clearTimeout(timer);
        stopListening();
        this.pendingReads.delete(finish);
        reject(error);
      });
    });
  }

  /** Publishes `finalPublish` (retained, QoS 1) and waits for it, then disconnects cleanly, so the broker drops the will. */
  async close(options: { finalPublish?: { topic: string; payload: string } } = {}): Promise<void> {
    if (this.closed) return;
    if (options.finalPublish && this.client.connected) {
      await withTimeout(this.publish(options.finalPublish.topic, options.finalPublish.payload, { retain: true, qos: 1 }), CLOSE_TIMEOUT_MS);
    }
    this.closed = true;
    for (const finish of [...this.pendingReads]) finish();
    // A clean disconnect needs the broker; without it, end at once rather than wait for the timeout.
    const ended = this.client.connected && (await withTimeout(this.client.endAsync(false).then(() => true), CLOSE_TIMEOUT_MS));
    if (!ended) await this.client.endAsync(true);
    this.connectListeners.clear();
    this.messageListeners.clear();
    this.options.log.info({ broker: safeUrl(this.options.url) }, "disconnected from the MQTT broker");
  }

  private safely(run: () => void, what: string): void {
    try {
      run();
    } catch (error) {
      this.options.log.error({ err: (error as Error).message }, `MQTT ${what} failed`);
    }
  }
}

function noTrace(): void {}
