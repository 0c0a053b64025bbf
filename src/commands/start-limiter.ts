import { setTimeout as delay } from "node:timers/promises";

/**
 * At most `perSecond` task starts in any one-second window, across the bridge. Callers queue in
 * order: the fourth waits for its slot, it is never refused. Waiting ends early (rejecting) when
 * the signal aborts.
 */
export class StartLimiter {
  private readonly recent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number,
  ) {}

  /** Resolves when the caller may start a task; the slot is counted from that moment. */
  take(signal: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot(signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      const now = this.now();
      while (this.recent.length > 0 && now - this.recent[0]! >= 1000) this.recent.shift();
      if (this.recent.length < this.perSecond) {
        this.recent.push(now);
        return;
      }
      await delay(this.recent[0]! + 1000 - now, undefined, { signal });
    }
  }
}
