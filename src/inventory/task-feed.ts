import type { Logger } from "../log.js";
import { isPlaceholderLine } from "../pve/health-reads.js";
import type { PveApi } from "../pve/types.js";
import { backupOutcomes, liveBackups, type BackupOutcome, type LiveBackup } from "./backups.js";
import { ProblemLog } from "./problems.js";
import { guestsStartedSince, isRunning, snapshotTasksEnded, summarizeTasks, toClusterTasks, vzdumpTasksEnded, type ClusterTask, type GuestTaskEnd, type TaskSummary } from "./tasks.js";
import { emptyVzdumpLog, readVzdumpLog, type VzdumpLogState } from "./vzdump-log.js";

/** What a poll knows of the cluster's tasks and backups (CONTRACT 9). An immutable value. */
export interface TaskState {
  /** null until /cluster/tasks has been read once. */
  summary: TaskSummary | null;
  /** Guests whose backup runs now, with its progress. */
  live: ReadonlyMap<number, LiveBackup>;
  /** Each guest's outcome in the newest backup job that covered it. */
  outcomes: ReadonlyMap<number, BackupOutcome>;
}

/** What changed since the last reading: the details to read again now. */
/** A guest's part of a backup job ended; `storage` null: the job did not name one (every backup storage of its node is listed). */
export interface BackupPartEnd {
  vmid: number;
  storage: string | null;
}

export interface TaskChanges {
  /** Guests whose snapshot, snapshot-delete or rollback task ended. */
  snapshots: GuestTaskEnd[];
  /** Guests whose part of a backup job ended: the listing of the storage the job wrote to is read again. */
  backups: BackupPartEnd[];
  /** Guests that started: their IPs and OS. */
  started: GuestTaskEnd[];
}

export const NO_TASKS: TaskState = Object.freeze({ summary: null, live: new Map(), outcomes: new Map() });

/**
 * Reads `/cluster/tasks` every poll (the change feed) and, while a vzdump task runs or right after
 * it ended, the new lines of its log. Keeps the logs read so far and each guest's last backup
 * outcome; hands out a new immutable TaskState per reading.
 */
export class TaskFeed {
  private previous: ClusterTask[] | null = null;
  private logs = new Map<string, VzdumpLogState>();
  private state: TaskState = NO_TASKS;
  private readonly problems: ProblemLog;

  constructor(
    log: Logger,
    private readonly now: () => number,
  ) {
    this.problems = new ProblemLog(log);
  }

  get current(): TaskState {
    return this.state;
  }

  /** One reading; when /cluster/tasks fails, the previous state is kept and logged once. */
  async read(api: PveApi): Promise<{ state: TaskState; changes: TaskChanges }> {
    let tasks: ClusterTask[];
    try {
      tasks = toClusterTasks((await api.clusterTasks()).rows);
      this.problems.succeeded("cluster-tasks", "GET /cluster/tasks answers again");
    } catch (error) {
      this.problems.failed("cluster-tasks", "GET /cluster/tasks failed; keeping the last known tasks and backups", error);
      return { state: this.state, changes: { snapshots: [], backups: [], started: [] } };
    }
    const ended = vzdumpTasksEnded(this.previous, tasks);
    const running = tasks.filter((task) => task.type === "vzdump" && isRunning(task));
    const logs = new Map<string, VzdumpLogState>();
    for (const task of [...running, ...ended]) logs.set(task.upid, await this.readLog(api, task));

    const outcomes = new Map(this.state.outcomes);
    const backups: BackupPartEnd[] = [];
    for (const task of [...running, ...ended]) {
      const log = logs.get(task.upid)!;
      for (const outcome of backupOutcomes(log)) {
        const known = this.logs.get(task.upid)?.guests.get(outcome.vmid);
        const newlyEnded = known?.state !== "ok" && known?.state !== "error";
        outcomes.set(outcome.vmid, outcome);
        if (newlyEnded) backups.push({ vmid: outcome.vmid, storage: log.storage });
      }
    }
    const changes: TaskChanges = { snapshots: snapshotTasksEnded(this.previous, tasks), backups, started: guestsStartedSince(this.previous, tasks) };
    // an ended task's log has been read to the end: it is not read again
    for (const task of ended) logs.delete(task.upid);
    this.logs = logs;
    this.previous = tasks;
    this.state = Object.freeze({ summary: summarizeTasks(tasks, this.now()), live: liveBackups(tasks, logs), outcomes });
    return { state: this.state, changes };
  }

  /** The log of one vzdump task from where the last reading stopped; on failure the state read so far. */
  private async readLog(api: PveApi, task: ClusterTask): Promise<VzdumpLogState> {
    const known = this.logs.get(task.upid) ?? emptyVzdumpLog();
    const problem = `task-log:${task.node}`;
    try {
      const log = await api.taskLog(task.node, task.upid, known.linesRead);
      this.problems.succeeded(problem, `The task logs of ${task.node} can be read again`);
      return readVzdumpLog(known, log.lines.filter((line) => !isPlaceholderLine(line)));
    } catch (error) {
      this.problems.failed(problem, `Cannot read the backup task log ${task.upid} (needs Sys.Audit on /nodes/${task.node}); keeping the last known backup status`, error);
      return known;
    }
  }
}
