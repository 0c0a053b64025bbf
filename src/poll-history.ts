import type { BridgeMetrics } from "./http/metrics.js";
import type { LastPoll } from "./publish/info.js";

/** The outcome of the latest poll and the failures in a row, counted in /metrics as they happen. */
export class PollHistory {
  last: LastPoll | null = null;
  failures = 0;

  constructor(
    private readonly now: () => number,
    private readonly metrics: () => BridgeMetrics | null,
  ) {}

  succeeded(started: number): void {
    this.failures = 0;
    this.last = { at: this.now(), duration: this.now() - started, ok: true, error: null };
    this.metrics()?.polls.inc({ result: "ok" });
    this.metrics()?.pollDuration.observe(this.last.duration / 1000);
  }

  /** A failed poll of the running bridge (`counted`) or of the start-up retries (not a failure in a row). */
  failed(started: number, error: unknown, options: { counted: boolean }): void {
    if (options.counted) this.failures++;
    this.last = { at: this.now(), duration: this.now() - started, ok: false, error: error instanceof Error ? error.message : String(error) };
    if (options.counted) this.metrics()?.polls.inc({ result: "error" });
  }

  /** The latest poll's error, or null when it succeeded. */
  get error(): string | null {
    return this.last?.ok === false ? (this.last.error ?? "poll failed") : null;
  }
}

/** Runs one task at a time: a call while one runs joins the single queued run after it. */
export class Serial {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly task: () => Promise<void>) {}

  run(): Promise<void> {
    if (!this.running) {
      this.running = this.task().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = null;
      return this.run();
    });
    return this.queued;
  }
}
