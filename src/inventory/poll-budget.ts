/**
 * The requests one poll may still make for reads that can wait a poll or two (details on their
 * cadence, a node's disks, updates, HA): CONTRACT 7's ceiling of 3 + N + ⌈G/5⌉ a poll, less what
 * the poll has already asked for (the core, the backup task logs, the reads a task end asked for,
 * first readings). A read that does not fit waits: a guest's detail one poll at most (WaitingReads),
 * a node's health read until a poll has room or it has waited a whole cadence more (HealthReader),
 * so nothing waits for ever behind a long backup job.
 */
export class PollBudget {
  private left: number;

  private constructor(left: number) {
    this.left = left;
  }

  /** A poll of `nodes` online nodes and `guests` guests that has made `spent` requests so far. */
  static forPoll(nodes: number, guests: number, spent: number): PollBudget {
    return new PollBudget(3 + nodes + Math.ceil(guests / 5) - spent);
  }

  /** No ceiling (a refresh asked for by a command, and tests of what is read when). */
  static unlimited(): PollBudget {
    return new PollBudget(Number.POSITIVE_INFINITY);
  }

  /** Spends `cost` on a read that does not wait (a task end asked for it, a first reading). */
  spend(cost: number): void {
    this.left -= cost;
  }

  /** Takes `cost` when it fits, or when the read is `overdue`; false: it waits for a later poll. */
  take(cost: number, overdue = false): boolean {
    if (cost > this.left && !overdue) return false;
    this.left -= cost;
    return true;
  }
}
