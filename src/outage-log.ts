import type { Logger } from "./log.js";
import { PveUnreachableError } from "./pve/errors.js";

/**
 * The story of an outage in the log, whatever its length: one warning when polls start failing,
 * one each time the cause changes (ECONNRESET, then a certificate mismatch…), and one line when
 * PVE answers again — never a line per failed poll.
 */
export class OutageLog {
  private cause: string | null = null;
  private failedPolls = 0;
  private startedAt = 0;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** A poll failed with `error`. */
  failed(error: unknown): void {
    const cause = causeOf(error);
    this.failedPolls++;
    if (this.cause === null) {
      this.startedAt = this.now();
      this.log.warn({ err: messageOf(error) }, "poll failed; keeping the last state");
    } else if (cause !== this.cause) {
      this.log.warn({ err: messageOf(error), failed_polls: this.failedPolls }, "poll still failing, for another reason");
    }
    this.cause = cause;
  }

  /** A poll succeeded; `context` (e.g. the host that answered) goes on the recovery line. */
  recovered(context: Record<string, unknown> = {}): void {
    if (this.cause === null) return;
    const seconds = Math.round((this.now() - this.startedAt) / 100) / 10;
    this.log.info({ ...context, failed_polls: this.failedPolls, outage_seconds: seconds }, "Proxmox VE answers again");
    this.cause = null;
    this.failedPolls = 0;
  }
}

/**
 * What makes two failures the same outage: the message, except that an unreachable cluster lists
 * its hosts in the order they were tried, which changes with their retry times.
 */
function causeOf(error: unknown): string {
  if (error instanceof PveUnreachableError) {
    return error.failures
      .map((failure) => `${failure.origin}: ${failure.reason}`)
      .sort()
      .join("; ");
  }
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
