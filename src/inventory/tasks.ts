import type { ClusterTaskRow } from "../pve/health-schemas.js";
import { isTaskSuccess } from "../pve/tasks.js";

/*
 * What /cluster/tasks (read every poll) tells: running and failed tasks per node and cluster,
 * running backups, and, compared with the previous reading, which tasks ended (the change feed of
 * CONTRACT §4: snapshot lists, backup listings, IPs of started guests). Pure: rows in, values out.
 * Times are epoch milliseconds.
 */

export interface ClusterTask {
  upid: string;
  node: string;
  type: string;
  /** The guest's vmid for guest tasks, else "" (multi-guest vzdump, aptupdate, startall…). */
  id: string;
  user: string | null;
  startedAt: number;
  /** null while running. */
  endedAt: number | null;
  /** `OK`, `WARNINGS: n` or the error text; null while running. */
  status: string | null;
}

/** tasks_failed counts tasks that ended in error during this window (CONTRACT §4: the last 24 h). */
export const FAILED_WINDOW_MS = 24 * 3600 * 1000;

export const SNAPSHOT_TASK_TYPES: ReadonlySet<string> = new Set(["qmsnapshot", "qmdelsnapshot", "qmrollback", "vzsnapshot", "vzdelsnapshot", "vzrollback"]);
export const GUEST_START_TASK_TYPES: ReadonlySet<string> = new Set(["qmstart", "vzstart"]);

/** A row as a task; a row PVE sends half-way (endtime without status) counts as ended with "unexpected status". */
export function toClusterTask(row: ClusterTaskRow): ClusterTask {
  const ended = row.endtime !== undefined || (row.status !== undefined && row.status !== "RUNNING");
  return {
    upid: row.upid,
    node: row.node,
    type: row.type,
    id: row.id ?? "",
    user: row.user ?? null,
    startedAt: row.starttime * 1000,
    endedAt: ended ? (row.endtime ?? row.starttime) * 1000 : null,
    status: ended ? (row.status ?? "unexpected status") : null,
  };
}

export function toClusterTasks(rows: readonly ClusterTaskRow[]): ClusterTask[] {
  // A node may list a task twice while its list is rewritten: keep one per UPID, the ended one if any.
  const byUpid = new Map<string, ClusterTask>();
  for (const task of rows.map(toClusterTask)) {
    const known = byUpid.get(task.upid);
    if (!known || (known.endedAt === null && task.endedAt !== null)) byUpid.set(task.upid, task);
  }
  return [...byUpid.values()];
}

export const isRunning = (task: ClusterTask): boolean => task.endedAt === null;
export const isFailed = (task: ClusterTask): boolean => task.status !== null && !isTaskSuccess(task.status);

/** The vmid of a guest task (`id` is the vmid), else null. */
export function taskVmid(task: ClusterTask): number | null {
  return /^\d+$/.test(task.id) ? Number(task.id) : null;
}

export interface NodeTaskCounts {
  tasksRunning: number;
  tasksFailed: number;
}

export interface TaskSummary {
  /** Per node that lists any task; a node absent here has 0 and 0. */
  nodes: ReadonlyMap<string, NodeTaskCounts>;
  tasksRunning: number;
  tasksFailed: number;
  /** Running vzdump tasks (a job of several guests on one node is one task). */
  backupsRunning: number;
  /** Guests with a running vzdump task of their own (`id` = vmid); a multi-guest job's guests come from its log. */
  guestsBackingUp: ReadonlySet<number>;
}

/** Counts of one reading: running tasks, tasks that ended in error within 24 h of `now`, running backups. */
export function summarizeTasks(tasks: readonly ClusterTask[], now: number): TaskSummary {
  const nodes = new Map<string, NodeTaskCounts>();
  const guestsBackingUp = new Set<number>();
  let tasksRunning = 0;
  let tasksFailed = 0;
  let backupsRunning = 0;
  for (const task of tasks) {
    const running = isRunning(task);
    const failed = !running && isFailed(task) && task.endedAt! >= now - FAILED_WINDOW_MS;
    if (!running && !failed) continue;
    const counts = nodes.get(task.node) ?? { tasksRunning: 0, tasksFailed: 0 };
    nodes.set(task.node, { tasksRunning: counts.tasksRunning + (running ? 1 : 0), tasksFailed: counts.tasksFailed + (failed ? 1 : 0) });
    if (running) tasksRunning++;
    if (failed) tasksFailed++;
    if (running && task.type === "vzdump") {
      backupsRunning++;
      const vmid = taskVmid(task);
      if (vmid !== null) guestsBackingUp.add(vmid);
    }
  }
  return { nodes, tasksRunning, tasksFailed, backupsRunning, guestsBackingUp };
}

/**
 * Tasks that ended since the previous reading: ended now, and running or absent before. With no
 * previous reading (the first poll) nothing counts as new: the first poll reads every detail anyway.
 */
export function tasksEndedSince(previous: readonly ClusterTask[] | null, current: readonly ClusterTask[]): ClusterTask[] {
  if (previous === null) return [];
  const endedBefore = new Set(previous.filter((task) => !isRunning(task)).map((task) => task.upid));
  return current.filter((task) => !isRunning(task) && !endedBefore.has(task.upid));
}

/** vzdump tasks that ended since the previous reading: their logs are read to the end, their guests' backups re-listed. */
export function vzdumpTasksEnded(previous: readonly ClusterTask[] | null, current: readonly ClusterTask[]): ClusterTask[] {
  return tasksEndedSince(previous, current).filter((task) => task.type === "vzdump");
}

export interface GuestTaskEnd {
  vmid: number;
  node: string;
  type: string;
  ok: boolean;
  task: ClusterTask;
}

/** Snapshot, snapshot-delete and rollback tasks that ended since the previous reading (whoever started them): re-read those guests' snapshots. */
export function snapshotTasksEnded(previous: readonly ClusterTask[] | null, current: readonly ClusterTask[]): GuestTaskEnd[] {
  return guestTaskEnds(tasksEndedSince(previous, current).filter((task) => SNAPSHOT_TASK_TYPES.has(task.type)));
}

/** Guests started since the previous reading (a qmstart / vzstart that ended OK): read their IPs and OS. */
export function guestsStartedSince(previous: readonly ClusterTask[] | null, current: readonly ClusterTask[]): GuestTaskEnd[] {
  return guestTaskEnds(tasksEndedSince(previous, current).filter((task) => GUEST_START_TASK_TYPES.has(task.type))).filter((end) => end.ok);
}

function guestTaskEnds(tasks: ClusterTask[]): GuestTaskEnd[] {
  const ends: GuestTaskEnd[] = [];
  for (const task of tasks) {
    const vmid = taskVmid(task);
    if (vmid !== null) ends.push({ vmid, node: task.node, type: task.type, ok: !isFailed(task), task });
  }
  return ends;
}
