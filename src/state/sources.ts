/** The sources the catalog's rows read, built from one poll's outcome. Pure. */
import type { ClusterSource, GuestSource, NodeSource, StorageSource } from "../catalog/index.js";
import type { PollOutcome } from "../inventory/poller.js";
import { guestKey, type GuestInfo, type Inventory, type NodeInfo, type StorageInfo } from "../inventory/types.js";
import { guestsWithoutRecentBackup } from "./backup-coverage.js";
import type { CommandResult } from "./command-result.js";

/** Guests running / in all, per node name. */
export function guestCounts(inventory: Inventory): Map<string, { running: number; total: number }> {
  const counts = new Map<string, { running: number; total: number }>();
  for (const guest of inventory.guests) {
    const count = counts.get(guest.node) ?? { running: 0, total: 0 };
    counts.set(guest.node, { running: count.running + (guest.status === "running" ? 1 : 0), total: count.total + 1 });
  }
  return counts;
}

export function nodeSource(node: NodeInfo, outcome: PollOutcome, counts: ReturnType<typeof guestCounts>, previous: NodeSource["previous"], now: number): NodeSource {
  const count = counts.get(node.name);
  const summary = outcome.tasks.summary;
  return {
    node,
    guestsRunning: count?.running ?? 0,
    guestsTotal: count?.total ?? 0,
    tasks: summary?.nodes.get(node.name),
    tasksKnown: summary !== null,
    health: outcome.health.nodes.get(node.name),
    previous,
    now,
  };
}

export function guestSource(guest: GuestInfo, outcome: PollOutcome, lastAction: CommandResult | null, previous: GuestSource["previous"], now: number): GuestSource {
  const key = guestKey(guest.kind, guest.vmid);
  return { guest, details: outcome.details.get(key), rates: outcome.rates.get(key), lastAction, tasks: outcome.tasks, previous, now };
}

export function storageSource(storage: StorageInfo): StorageSource {
  return { storage };
}

export function clusterSource(outcome: PollOutcome, backupMaxAgeSeconds: number, now: number): ClusterSource {
  return {
    inventory: outcome.inventory,
    tasks: outcome.tasks,
    health: outcome.health,
    withoutRecentBackup: guestsWithoutRecentBackup(outcome, backupMaxAgeSeconds * 1000, now),
  };
}
