import type { GuestInfo, Inventory } from "../inventory/types.js";
import type { ScheduleAction, ScheduleTargets } from "./config.js";

/**
 * The guests a run acts on, from the inventory of that moment (a guest tagged since the last run
 * is included). Templates are never in the inventory. Ordered by vmid.
 */
export function resolveTargets(targets: ScheduleTargets, inventory: Inventory): GuestInfo[] {
  const matches = (guest: GuestInfo): boolean => {
    switch (targets.kind) {
      case "all":
        return true;
      case "vmids":
        return targets.vmids.includes(guest.vmid);
      case "tags":
        return guest.tags.some((tag) => targets.tags.includes(tag.toLowerCase()));
      case "nodes":
        return targets.nodes.includes(guest.node);
    }
  };
  return inventory.guests.filter(matches).sort((a, b) => a.vmid - b.vmid);
}

/** vmids a `vmids` target names that the inventory does not have (a typo, a deleted guest). */
export function missingVmids(targets: ScheduleTargets, inventory: Inventory): number[] {
  if (targets.kind !== "vmids") return [];
  return targets.vmids.filter((vmid) => !inventory.guests.some((guest) => guest.vmid === vmid));
}

const NEEDS_RUNNING: readonly ScheduleAction[] = ["shutdown", "stop", "reboot", "suspend"];
const ASLEEP = ["paused", "suspended", "hibernated"];

/** Why the action makes no sense for the guest as it is now, or null to go ahead. */
export function skipReason(action: ScheduleAction, guest: GuestInfo): string | null {
  if (guest.status === "unknown") return "its state is unknown (its node may be offline)";
  if (NEEDS_RUNNING.includes(action) && guest.status !== "running" && guest.status !== "paused") return `it is not running (${guest.status})`;
  if (action === "start" && guest.status !== "stopped" && guest.status !== "hibernated") return `it is already running (${guest.status})`;
  if (action === "resume" && !ASLEEP.includes(guest.status)) return `it is not paused or suspended (${guest.status})`;
  return null;
}
