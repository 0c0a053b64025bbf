/*
 * Which slow details are due: the pure planning half of the details collector (details.ts).
 */
import type { PollBudget } from "./poll-budget.js";
import type { GuestInfo, Inventory, StorageInfo } from "./types.js";

/** A guest whose agent has not answered in its first minutes is asked again every few polls. */
export const AGENT_STARTUP_S = 300;

export interface BackupListing {
  key: string;
  node: string;
  storage: string;
  /** Every node that has it (a shared storage is listed once). */
  nodes: string[];
}

export interface Job {
  run: () => Promise<void>;
  /** Requests it makes, roughly: for the first-read budget. */
  cost: number;
}

/** Why a detail is read in this poll: its first reading, a task end asked for it, its cadence (or a wait); null: not read. */
export type ReadReason = "first" | "asked" | "cadence" | null;

/** A read that may wait for a poll with room: `key` (`kind:subject`) names it while it waits; `cadence` in cycles. */
export interface WaitableJob extends Job {
  key: string;
  cadence: number;
}

/**
 * Reads on their cadence that found no room in their poll's budget. A read waits one poll at most,
 * so a detail stays on its cadence give or take a poll, and never when its cadence is every poll.
 */
export class WaitingReads {
  private readonly keys = new Set<string>();

  /** Whether the `kind` read of `subject` (a guest's key, a backup listing's) waits (its job's key is `kind:subject`). */
  has(kind: string, subject: string): boolean {
    return this.keys.size > 0 && this.keys.has(`${kind}:${subject}`);
  }

  /** The read is no longer due (its guest stopped or left). */
  drop(kind: string, subject: string): void {
    if (this.keys.size > 0) this.done(`${kind}:${subject}`);
  }

  /** The read with this job key is made in this poll for another reason (a task end asked for it). */
  done(key: string): void {
    this.keys.delete(key);
  }

  /** The reads of this poll: those that waited, then those that fit in what the budget has left. */
  withRoom(jobs: WaitableJob[], budget: PollBudget): Job[] {
    const waitedFirst = [...jobs].sort((a, b) => Number(this.keys.has(b.key)) - Number(this.keys.has(a.key)));
    const taken: Job[] = [];
    for (const job of waitedFirst) {
      if (budget.take(job.cost, this.keys.has(job.key) || job.cadence <= 1)) {
        taken.push(job);
        this.keys.delete(job.key);
      } else {
        this.keys.add(job.key);
      }
    }
    return taken;
  }
}

/** Its agent may still be coming up. */
export function justStarted(guest: GuestInfo): boolean {
  return guest.uptime !== null && guest.uptime < AGENT_STARTUP_S;
}

/** Due on this phase of a cadence; a cadence of 0 is never due. */
export function isDue(phase: number, cadence: number): boolean {
  return cadence > 0 && phase % cadence === 0;
}

/** The first jobs whose summed cost stays within the budget; the others wait for the next poll. */
export function withinBudget(jobs: Job[], budget: number): Job[] {
  const taken: Job[] = [];
  let spent = 0;
  for (const job of jobs) {
    if (spent + job.cost > budget && taken.length > 0) break;
    taken.push(job);
    spent += job.cost;
  }
  return taken;
}

export function holdsBackups(storage: StorageInfo): boolean {
  return storage.active === true && storage.content.includes("backup");
}

/** One listing per active backup storage; a shared storage once, from the first node that has it active. */
export function backupListings(inventory: Inventory): BackupListing[] {
  const listings = new Map<string, BackupListing>();
  for (const storage of inventory.storages.filter(holdsBackups)) {
    const listing = listingOf(storage);
    const known = listings.get(listing.key);
    if (known) known.nodes.push(storage.node);
    else listings.set(listing.key, listing);
  }
  return [...listings.values()];
}

export function listingOf(storage: StorageInfo): BackupListing {
  const key = storage.shared ? `shared/${storage.storage}` : `${storage.node}/${storage.storage}`;
  return { key, node: storage.node, storage: storage.storage, nodes: [storage.node] };
}

