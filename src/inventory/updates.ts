import type { AptUpdateRow } from "../pve/health-schemas.js";

/** A node's pending updates (CONTRACT §8); every value null when the list cannot be read (403 without Sys.Modify). */
export interface UpdatesInfo {
  /** Pending package upgrades. */
  count: number | null;
  /** Of those, how many come from Proxmox's repositories. */
  proxmox_count: number | null;
  /** The pve-manager version an upgrade installs; the current PVE version when none is pending. */
  update_version: string | null;
  /** For the Home Assistant update entity's release summary, e.g. "12 updates, 3 from Proxmox". */
  summary: string | null;
}

export const UNKNOWN_UPDATES: UpdatesInfo = Object.freeze({ count: null, proxmox_count: null, update_version: null, summary: null });

/** From the apt/update rows and the node's PVE version ("8.2.4"); `rows` null = not readable. */
export function toUpdatesInfo(rows: readonly AptUpdateRow[] | null, pveVersion: string | null): UpdatesInfo {
  if (rows === null) return UNKNOWN_UPDATES;
  const count = rows.length;
  const proxmox = rows.filter((row) => row.Origin?.trim().toLowerCase() === "proxmox").length;
  const manager = rows.find((row) => row.Package === "pve-manager");
  const summary = count === 0 ? "Up to date" : `${count} ${count === 1 ? "update" : "updates"}, ${proxmox} from Proxmox`;
  return { count, proxmox_count: proxmox, update_version: manager?.Version?.trim() || pveVersion, summary };
}
