import { isRunning, taskVmid, type ClusterTask } from "./tasks.js";
import { guestsNotFinished, type VzdumpLogState } from "./vzdump-log.js";

/*
 * The per-guest backup fields of CONTRACT §4 from the two sources the poll has: /cluster/tasks
 * (which vzdump tasks run) and the vzdump logs read so far (keyed by UPID). Pure.
 */

export interface LiveBackup {
  /** `backup_running` is true for every guest in this map. */
  vmid: number;
  upid: string;
  /** `backup_progress`: 0–100 while its qemu backup runs; null for lxc, a guest still waiting its turn, or an unread log. */
  progress: number | null;
}

/** Guests with a running backup: a running vzdump whose `id` is the vmid, or a guest of a running job that has not finished it yet. */
export function liveBackups(tasks: readonly ClusterTask[], logs: ReadonlyMap<string, VzdumpLogState>): ReadonlyMap<number, LiveBackup> {
  const live = new Map<number, LiveBackup>();
  for (const task of tasks) {
    if (task.type !== "vzdump" || !isRunning(task)) continue;
    const log = logs.get(task.upid);
    const vmid = taskVmid(task);
    const vmids = log ? guestsNotFinished(log) : [];
    const state = vmid === null ? undefined : log?.guests.get(vmid)?.state;
    if (vmid !== null && !vmids.includes(vmid) && state !== "ok" && state !== "error") vmids.push(vmid);
    for (const guest of vmids) {
      const entry = log?.guests.get(guest);
      live.set(guest, { vmid: guest, upid: task.upid, progress: entry?.state === "running" ? entry.progress : null });
    }
  }
  return live;
}

export interface BackupOutcome {
  vmid: number;
  /** `last_backup_status` */
  status: "ok" | "error";
  /** `last_backup_error`: PVE's reason, or null when ok. */
  error: string | null;
}

/** Each guest whose part of the job has ended, with its outcome: set `last_backup_status` / `last_backup_error`, and re-read its `last_backup`. */
export function backupOutcomes(log: VzdumpLogState): BackupOutcome[] {
  const outcomes: BackupOutcome[] = [];
  for (const guest of log.guests.values()) {
    if (guest.state === "ok") outcomes.push({ vmid: guest.vmid, status: "ok", error: null });
    if (guest.state === "error") outcomes.push({ vmid: guest.vmid, status: "error", error: guest.error });
  }
  return outcomes;
}
