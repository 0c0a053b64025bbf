import type { CephStatus, HaStatusRow } from "../pve/health-schemas.js";

/** The cluster's HA and Ceph health (CONTRACT §8). */
export interface HaHealth {
  /** The status of the HA manager's `quorum` entry ("OK", or "No quorum on node 'x'!"); null when unknown. */
  ha_status: string | null;
  /** PVE 9's fencing `armed-state` (armed, standby, disarming, disarmed); null before PVE 9. */
  ha_armed: string | null;
}

export const UNKNOWN_HA: HaHealth = Object.freeze({ ha_status: null, ha_armed: null });

/** From /cluster/ha/status/current rows; `rows` null = not readable. */
export function toHaHealth(rows: readonly HaStatusRow[] | null): HaHealth {
  if (rows === null) return UNKNOWN_HA;
  const quorum = rows.find((row) => row.type === "quorum");
  const fencing = rows.find((row) => row.type === "fencing" && row["armed-state"] !== undefined);
  return { ha_status: quorum?.status?.trim() || null, ha_armed: fencing?.["armed-state"]?.trim() || null };
}

export const CEPH_STORAGE_TYPES: ReadonlySet<string> = new Set(["rbd", "cephfs"]);

/** Ceph is read only when a storage of type rbd or cephfs exists. */
export function hasCephStorage(storageTypes: Iterable<string | null | undefined>): boolean {
  for (const type of storageTypes) if (type && CEPH_STORAGE_TYPES.has(type)) return true;
  return false;
}

const CEPH_HEALTH = new Set(["HEALTH_OK", "HEALTH_WARN", "HEALTH_ERR"]);

/** HEALTH_OK / HEALTH_WARN / HEALTH_ERR from /cluster/ceph/status; null when not read, errored (external Ceph), or unknown. */
export function toCephHealth(status: CephStatus | null): string | null {
  const value = status?.health.status.trim().toUpperCase();
  return value !== undefined && CEPH_HEALTH.has(value) ? value : null;
}
