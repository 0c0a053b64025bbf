/** How the bridge polls: one poll at a time, the first one retried until PVE answers, and the record of the latest. */
import { backoffDelay, pause } from "./backoff.js";
import type { BridgeMetrics } from "./http/metrics.js";
import { ClusterNameUnknownError } from "./inventory/errors.js";
import type { PollOutcome } from "./inventory/poller.js";
import { describe } from "./inventory/problems.js";
import type { Logger } from "./log.js";
import type { LastPoll } from "./publish/info.js";
import { PveAuthError, PveTlsError } from "./pve/errors.js";

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
    this.last = { at: this.now(), duration: this.now() - started, ok: false, error: describe(error) };
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

/**
 * The first poll, retried with backoff while PVE cannot be reached; null when aborted meanwhile.
 * Wrong credentials, an untrusted certificate and an unreadable cluster name are fatal: retrying
 * cannot fix them, and the error says what to change.
 */
export async function firstSuccessfulPoll(options: {
  poll: () => Promise<PollOutcome>;
  history: PollHistory;
  log: Logger;
  now: () => number;
  interval: number;
  signal: AbortSignal;
}): Promise<PollOutcome | null> {
  for (let attempt = 0; !options.signal.aborted; attempt++) {
    try {
      const started = options.now();
      const outcome = await options.poll();
      options.history.succeeded(started);
      return outcome;
    } catch (error) {
      if (options.signal.aborted) return null;
      if (error instanceof PveAuthError || error instanceof PveTlsError || error instanceof ClusterNameUnknownError) throw error;
      options.history.failed(options.now(), error, { counted: false });
      if (attempt === 0) options.log.warn({ err: describe(error) }, "Proxmox VE not reachable at start; retrying");
      await pause(backoffDelay(attempt, options.interval), options.signal);
    }
  }
  return null;
}
