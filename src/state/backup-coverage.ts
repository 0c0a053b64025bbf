import type { ClusterSource } from "../catalog/sources.js";
import { guestKey } from "../inventory/types.js";

/**
 * Guests whose newest backup is older than `details.backup_max_age`, or that have none (as
 * "qemu/100 (name)"); null when no backup storage could be listed (nothing is known).
 */
export function guestsWithoutRecentBackup(s: ClusterSource): string[] | null {
  if (!s.backupsListed) return null;
  const oldest = s.now - s.backupMaxAgeMs;
  return s.inventory.guests
    .filter((guest) => {
      const last = s.details.get(guestKey(guest.kind, guest.vmid))?.lastBackup ?? null;
      return last === null || last < oldest;
    })
    .map((guest) => `${guest.kind}/${guest.vmid}${guest.name ? ` (${guest.name})` : ""}`);
}
