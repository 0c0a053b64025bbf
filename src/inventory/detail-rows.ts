import type { SnapshotRow, StorageContentRow } from "../pve/schemas.js";
import type { GuestDetails } from "./types.js";

export type SnapshotSummary = Pick<GuestDetails, "snapshots" | "lastSnapshot" | "lastSnapshotTime">;

/** Count without the `current` pseudo row ("You are here!"); the newest by `snaptime`. */
export function summarizeSnapshots(rows: SnapshotRow[]): SnapshotSummary {
  const real = rows.filter((row) => row.name !== "current");
  const newest = real.reduce<SnapshotRow | undefined>((best, row) => (best === undefined || (row.snaptime ?? 0) > (best.snaptime ?? 0) ? row : best), undefined);
  return {
    snapshots: real.length,
    lastSnapshot: newest?.name ?? null,
    lastSnapshotTime: newest?.snaptime === undefined ? null : newest.snaptime * 1000,
  };
}

/** vmid → newest `ctime` (epoch ms) in a backup listing. */
export function newestBackups(rows: StorageContentRow[]): Map<number, number> {
  const newest = new Map<number, number>();
  for (const row of rows) {
    if (row.vmid === undefined || row.ctime === undefined || Number.isNaN(row.vmid)) continue;
    const time = row.ctime * 1000;
    if ((newest.get(row.vmid) ?? -Infinity) < time) newest.set(row.vmid, time);
  }
  return newest;
}
