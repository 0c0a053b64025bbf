import type { Logger } from "../log.js";

/** What the publisher needs from a connection; `false` from a publish means the message was dropped (not connected). */
export interface PublishTarget {
  publish(topic: string, payload: string | Buffer, options: { retain: boolean; qos: 0 | 1 }): Promise<boolean | void>;
  /** QoS 0, handed to mqtt.js without waiting for anything. */
  publishUnconfirmed(topic: string, payload: string, retain: boolean): boolean;
  /** Whether the socket takes more without buffering past its high-water mark. */
  readonly writable: boolean;
  /** Resolves once the socket's buffer has drained. */
  drained(): Promise<void>;
}

/** Told of each message the publisher handed to the connection (see `Publisher.onSent`). */
export type SentListener = (topic: string, payload: string) => void;

/**
 * Messages handed to the connection and not yet settled, above which `ready()` makes callers wait.
 * Enough to keep a local broker busy while bounding memory at start-up, when tens of thousands of
 * discovery configs go out (see docs/performance.md).
 */
const DEFAULT_MAX_IN_FLIGHT = 64;

/**
 * Sends messages with back-pressure: a bounded number of QoS 1 messages in flight, and QoS 0
 * states only while the socket has room. It decides nothing about *whether* a message goes out:
 * that is the caller's (src/publish/ owns what was published).
 */
export class Publisher {
  private sent = 0;
  private readonly sentListeners = new Set<SentListener>();
  private inFlight = 0;
  /** Messages handed to `publish` and not settled yet: waiting for room, or in flight. */
  private unsettled = 0;
  /** Messages waiting for a slot in flight; release() hands them theirs. */
  private readonly waiting: Array<() => void> = [];
  /** Callers of ready() waiting for room. */
  private readonly waitingForRoom: Array<() => void> = [];
  private readonly settling: Array<() => void> = [];

  constructor(
    private readonly connection: PublishTarget,
    private readonly log: Logger,
    private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
  ) {}

  /** Publishes at QoS 1 (or 0) and resolves once sent; false when dropped (not connected). */
  async publish(topic: string, payload: string, options: { retain: boolean; qos?: 0 | 1 }): Promise<boolean> {
    const delivered = await this.send(topic, payload, options.retain, options.qos ?? 1);
    if (delivered === false) return false;
    this.noteSent(topic, payload, options.retain);
    return true;
  }

  /**
   * Publishes at QoS 0 without waiting (device states: thousands a cycle). Returns false when
   * dropped (not connected). Call `ready()` between messages for back-pressure.
   */
  publishUnconfirmed(topic: string, payload: string, retain: boolean): boolean {
    if (!this.connection.publishUnconfirmed(topic, payload, retain)) return false;
    this.noteSent(topic, payload, retain);
    return true;
  }

  /** Resolves once everything handed to the connection so far has left its buffer. */
  flushed(): Promise<void> {
    return this.connection.drained();
  }

  /**
   * Resolves once every message handed over so far is settled (QoS 1: acknowledged, or dropped)
   * and the socket's buffer has drained: callers that publish many messages wait here once
   * instead of keeping a promise per message.
   */
  async settled(): Promise<void> {
    if (this.unsettled > 0) await new Promise<void>((resolve) => this.settling.push(resolve));
    await this.connection.drained();
  }

  /** Publishes an empty retained payload (deletes the retained message). */
  async clear(topic: string): Promise<void> {
    await this.publish(topic, "", { retain: true, qos: 1 });
  }

  /** Whether a message can go out now without waiting. */
  get hasRoom(): boolean {
    return this.slotFree && this.connection.writable;
  }

  /** A message handed over now would be sent at once: a slot is free and none waits for one. */
  private get slotFree(): boolean {
    return this.inFlight < this.maxInFlight && this.waiting.length === 0;
  }

  /** Resolves when the connection has room: call it before building many messages, to bound memory. */
  async ready(): Promise<void> {
    while (!this.slotFree) await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    if (!this.connection.writable) await this.connection.drained();
  }

  /** Messages actually sent (for metrics and the benchmark). */
  get publishedCount(): number {
    return this.sent;
  }

  /**
   * Calls `listener` with each message handed to the connection (QoS 1: once acknowledged), in
   * process: the web panel follows the bridge's own messages without receiving them back from the
   * broker. Returns the function that removes it.
   */
  onSent(listener: SentListener): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  private noteSent(topic: string, payload: string, retain: boolean): void {
    this.sent++;
    this.log.trace({ topic, retain }, "published");
    if (this.sentListeners.size > 0) for (const listener of this.sentListeners) listener(topic, payload);
  }

  private async send(topic: string, payload: string, retain: boolean, qos: 0 | 1): Promise<boolean | void> {
    this.unsettled++;
    try {
      const slot = this.takeSlot();
      if (slot) await slot;
      try {
        return await this.connection.publish(topic, payload, { retain, qos });
      } finally {
        this.releaseSlot();
      }
    } finally {
      this.unsettled--;
      if (this.unsettled === 0) for (const resolve of this.settling.splice(0)) resolve();
    }
  }

  /** A slot in flight: taken at once (null) when one is free and nobody waits, else handed over by releaseSlot(). */
  private takeSlot(): Promise<void> | null {
    if (this.slotFree) {
      this.inFlight++;
      return null;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /**
   * Frees a slot. Waiting messages are let go in batches, once half the slots are free, so that
   * they leave in one socket write (connection.ts gathers a tick's messages) rather than one each.
   */
  private releaseSlot(): void {
    this.inFlight--;
    if (this.inFlight > this.maxInFlight / 2) return;
    while (this.waiting.length > 0 && this.inFlight < this.maxInFlight) {
      this.inFlight++;
      this.waiting.shift()!();
    }
    if (this.slotFree) for (const resolve of this.waitingForRoom.splice(0)) resolve();
  }
}
