import { digest as digestOf } from "../digest.js";
import type { Logger } from "../log.js";

/** What the publisher needs from a connection; `false` from a publish means the message was dropped (not connected). */
export interface PublishTarget {
  publish(topic: string, payload: string | Buffer, options: { retain: boolean; qos: 0 | 1 }): Promise<boolean | void>;
  /** QoS 0, handed to the socket without a promise or a callback. */
  publishUnconfirmed(topic: string, payload: string, retain: boolean): boolean;
  /** Whether the socket takes more without buffering past its high-water mark. */
  readonly writable: boolean;
  /** Resolves once the socket's buffer has drained. */
  drained(): Promise<void>;
}

/**
 * Messages handed to the connection and not yet settled, above which `ready()` makes callers wait.
 * Enough to keep a local broker busy; each one in flight (a QoS 1 packet waiting for its PUBACK)
 * outlives young-generation collections, so at start-up, with tens of thousands of discovery
 * configs, 256 cost ~20 MB of peak memory where 64 cost none (see README, Performance).
 */
const DEFAULT_MAX_IN_FLIGHT = 64;

/**
 * Publishes retained messages without repeating an identical payload on the same topic, and with
 * a bounded number in flight. It remembers a digest per topic, not the payload: a large cluster
 * has tens of thousands of discovery configs.
 */
export class Publisher {
  private readonly last = new Map<string, string>();
  private sent = 0;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly connection: PublishTarget,
    private readonly log: Logger,
    private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
  ) {}

  /**
   * Publishes unless the last payload sent to this topic was identical; returns whether it published.
   * `force` → always, and nothing is remembered (the caller does its own change detection).
   */
  async publish(topic: string, payload: string, options: { retain: boolean; qos?: 0 | 1; force?: boolean }): Promise<boolean> {
    const digest = options.force ? null : digestOf(payload);
    const previous = this.last.get(topic);
    if (digest !== null && previous === digest) return false;
    // remembered before sending, so a second identical call while the first is in flight is not sent twice
    if (digest === null) this.last.delete(topic);
    else this.last.set(topic, digest);
    const delivered = await this.send(topic, payload, options.retain, options.qos ?? 1);
    if (delivered === false) {
      // dropped (not connected): forget it, so the next publish of this topic goes out
      if (digest !== null && this.last.get(topic) === digest) {
        if (previous === undefined) this.last.delete(topic);
        else this.last.set(topic, previous);
      }
      return false;
    }
    this.sent++;
    this.log.trace({ topic, retain: options.retain }, "published");
    return true;
  }

  /**
   * Publishes at QoS 0 without a promise per message (device states: thousands a cycle), always
   * (the caller does its own change detection, nothing is remembered). Returns false when dropped
   * (not connected). Call `ready()` between messages for back-pressure and `flushed()` after them.
   */
  publishUnconfirmed(topic: string, payload: string, retain: boolean): boolean {
    this.last.delete(topic);
    if (!this.connection.publishUnconfirmed(topic, payload, retain)) return false;
    this.sent++;
    return true;
  }

  /** Resolves once everything handed to the connection so far has left its buffer. */
  flushed(): Promise<void> {
    return this.connection.drained();
  }

  /** Publishes an empty retained payload (deletes the retained message) and forgets the topic. */
  async clear(topic: string): Promise<void> {
    this.last.delete(topic);
    const delivered = await this.send(topic, "", true, 1);
    if (delivered !== false) this.sent++;
  }

  /** Forgets every remembered payload so the next publish of each topic goes out (birth message, reconnect). */
  forgetAll(): void {
    this.last.clear();
  }

  /** Whether `payload` is what was last published (unforced) on `topic`. */
  remembers(topic: string, payload: string): boolean {
    return this.last.get(topic) === digestOf(payload);
  }

  /** Whether a message can go out now without waiting: check it before `await ready()`, which costs a tick even when there is room. */
  get hasRoom(): boolean {
    return this.inFlight < this.maxInFlight && this.connection.writable;
  }

  /** Resolves when the connection has room: call it before building many messages, to bound memory. */
  async ready(): Promise<void> {
    if (this.inFlight >= this.maxInFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (!this.connection.writable) await this.connection.drained();
  }

  /** Messages actually sent (for metrics and the benchmark). */
  get publishedCount(): number {
    return this.sent;
  }

  private async send(topic: string, payload: string, retain: boolean, qos: 0 | 1): Promise<boolean | void> {
    this.inFlight++;
    try {
      return await this.connection.publish(topic, payload, { retain, qos });
    } finally {
      this.inFlight--;
      if (this.inFlight < this.maxInFlight) this.waiting.shift()?.();
    }
  }
}
