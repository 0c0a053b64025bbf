import type { PollOutcome } from "../inventory/poller.js";
import { guestKey } from "../inventory/types.js";

/**
 * Guests whose newest backup is older than `details.backup_max_age`, or that have none (as
 * "qemu/100 (name)"); null when no backup storage could be listed (nothing is known).
 */
export function guestsWithoutRecentBackup(outcome: PollOutcome, maxAgeMs: number, now: number): string[] | null {
  if (!outcome.backupsListed) return null;
  const oldest = now - maxAgeMs;
  return outcome.inventory.guests
    .filter((guest) => {
      const last = outcome.details.get(guestKey(guest.kind, guest.vmid))?.lastBackup ?? null;
      return last === null || last < oldest;
    })
    .map((guest) => `${guest.kind}/${guest.vmid}${guest.name ? ` (${guest.name})` : ""}`);
}
