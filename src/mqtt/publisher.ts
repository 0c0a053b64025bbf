import type { Logger } from "../log.js";

/** What the publisher needs from a connection; `false` from publish means the message was dropped (not connected). */
export interface PublishTarget {
  publish(topic: string, payload: string | Buffer, options: { retain: boolean; qos: 0 | 1 }): Promise<boolean | void>;
}

/** Publishes retained states without repeating an identical payload on the same topic. */
export class Publisher {
  private readonly last = new Map<string, string>();
  private sent = 0;

  constructor(
    private readonly connection: PublishTarget,
    private readonly log: Logger,
  ) {}

  /** Publishes unless the last payload sent to this topic was identical; returns whether it published. `force` → always. */
  async publish(topic: string, payload: string, options: { retain: boolean; qos?: 0 | 1; force?: boolean }): Promise<boolean> {
    if (!options.force && this.last.get(topic) === payload) return false;
    // remembered before sending, so a second identical call while the first is in flight is not sent twice
    const previous = this.last.get(topic);
    this.last.set(topic, payload);
    const delivered = await this.connection.publish(topic, payload, { retain: options.retain, qos: options.qos ?? 1 });
    if (delivered === false) {
      // dropped (not connected): forget it, so the next publish of this topic goes out
      if (this.last.get(topic) === payload) {
        if (previous === undefined) this.last.delete(topic);
        else this.last.set(topic, previous);
      }
      return false;
    }
    this.sent++;
    this.log.trace({ topic, retain: options.retain }, "published");
    return true;
  }

  /** Publishes an empty retained payload (deletes the retained message) and forgets the topic. */
  async clear(topic: string): Promise<void> {
    this.last.delete(topic);
    const delivered = await this.connection.publish(topic, "", { retain: true, qos: 1 });
    if (delivered !== false) this.sent++;
  }

  /** Forgets every remembered payload so the next publish of each topic goes out (birth message, reconnect). */
  forgetAll(): void {
    this.last.clear();
  }

  lastPayload(topic: string): string | undefined {
    return this.last.get(topic);
  }

  /** Messages actually sent (for metrics and the benchmark). */
  get publishedCount(): number {
    return this.sent;
  }
}
