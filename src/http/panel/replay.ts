/**
 * The broker's replay of the retained messages, collected once when the first browser connects to a
 * mirror that follows the bridge's publisher in process. The publisher's copy of a topic is the
 * newer one: a replayed message for a topic already heard live is stale and dropped. MQTT says
 * nowhere when a replay ends: it is taken as done once no retained message came for `quietMs`
 * after the subscription was acknowledged.
 */
export class RetainedReplay {
  private readonly heardLive = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly quietMs: number,
    private readonly onDone: () => void,
  ) {}

  /** The bridge published this topic: any copy from the broker from now on is not newer. */
  heard(topic: string): void {
    this.heardLive.add(topic);
  }

  /** Whether a message from the broker for this topic is to be kept. */
  accepts(topic: string): boolean {
    return !this.heardLive.has(topic);
  }

  /** The subscription was acknowledged or a retained message came: done after `quietMs` more of nothing. */
  stillComing(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onDone();
    }, this.quietMs);
    this.timer.unref();
  }

  /** The connection dropped (the replay restarts with the next subscription) or nobody listens any more. */
  pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
