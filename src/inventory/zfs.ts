import type { ZfsPoolRow } from "../pve/health-schemas.js";

/** A ZFS pool of one node (CONTRACT §8), from a row of /nodes/{n}/disks/zfs. Sizes in whole bytes. */
export interface ZfsPoolInfo {
  node: string;
  pool: string;
  /** ONLINE, DEGRADED, FAULTED, OFFLINE, UNAVAIL, REMOVED, SUSPENDED…; null when PVE sent none. */
  health: string | null;
  size: number | null;
  /** `alloc` */
  used: number | null;
  free: number | null;
  /** used / size, 0–100 with one decimal. */
  used_percent: number | null;
  /** % */
  fragmentation: number | null;
  /** ratio (1 = no dedup) */
  dedup: number | null;
}

const bytes = (value: number | undefined): number | null => (value !== undefined && Number.isFinite(value) && value >= 0 ? Math.round(value) : null);
const finite = (value: number | undefined): number | null => (value !== undefined && Number.isFinite(value) ? value : null);

export function toZfsPoolInfo(node: string, row: ZfsPoolRow): ZfsPoolInfo {
  const size = bytes(row.size);
  const used = bytes(row.alloc);
  const free = bytes(row.free) ?? (size !== null && used !== null ? Math.max(0, size - used) : null);
  return {
    node,
    pool: row.name,
    health: row.health?.trim() ? row.health.trim().toUpperCase() : null,
    size,
    used,
    free,
    used_percent: size !== null && size > 0 && used !== null ? Math.round((used / size) * 1000) / 10 : null,
    fragmentation: finite(row.frag),
    dedup: finite(row.dedup),
  };
}

export function toZfsPoolInfos(node: string, rows: readonly ZfsPoolRow[]): ZfsPoolInfo[] {
  return rows.map((row) => toZfsPoolInfo(node, row));
}

/** The pool's problem sensor: ON unless ONLINE (also when the health is unknown). */
export function poolHasProblem(pool: ZfsPoolInfo): boolean {
  return pool.health !== "ONLINE";
}
