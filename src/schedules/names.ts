/*
 * Names of the snapshots a schedule makes, and which of a guest's snapshots are its own
 * (CONTRACT section 11): `auto_<schedule>_<YYYYMMDDHHMMSS>` in UTC, nothing else.
 */

/** `auto_nightly_20240501020000` for 2024-05-01T02:00:00Z. */
export function scheduledSnapshotName(schedule: string, now: Date): string {
  const digits = now.toISOString().slice(0, 19).replace(/[-:T]/g, "");
  return `auto_${schedule}_${digits}`;
}

export function scheduledSnapshotDescription(schedule: string): string {
  return `pve2mqtt schedule ${schedule}`;
}

/** Whether `snapshot` was made by `schedule`: exactly `auto_<schedule>_` and 14 digits. */
export function isScheduleSnapshot(schedule: string, snapshot: string): boolean {
  const prefix = `auto_${schedule}_`;
  return snapshot.startsWith(prefix) && /^[0-9]{14}$/.test(snapshot.slice(prefix.length));
}

/** The schedule's snapshots beyond the newest `keep`, oldest first (the time is in the name). */
export function snapshotsBeyond(schedule: string, snapshots: readonly string[], keep: number): string[] {
  const own = snapshots.filter((name) => isScheduleSnapshot(schedule, name)).sort();
  return own.slice(0, Math.max(0, own.length - keep));
}
