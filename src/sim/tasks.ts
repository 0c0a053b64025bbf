import type { TimerSet } from "./timers.js";

export interface SimTask {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
  tokenid?: string;
  status: "running" | "stopped";
  exitstatus?: string;
  endtime?: number;
  /** The task log, one entry per line; ends with "TASK OK" / "TASK WARNINGS: n" / "TASK ERROR: …" once stopped. */
  log: string[];
}

export interface TaskIdentity {
  node: string;
  type: string;
  id: string;
  /** "user@realm" or "user@realm!token" */
  user: string;
}

export interface TaskStart extends TaskIdentity {
  durationMs: number;
  /** Runs when the task ends; returns the exit status ("OK", "WARNINGS: 1", an error text). */
  finish: () => string;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

/** PVE lists every running task of a node and finished ones up to this many in all (RESTEnvironment's MAX_FINISHED). */
export const CLUSTER_TASKS_PER_NODE = 25;
/** The node's task archive (/var/log/pve/tasks/index) rotates at about this many entries. */
const ARCHIVE_PER_NODE = 1000;

/** Worker tasks with UPIDs and logs, per node, ending after a while like PVE's forked workers. */
export class TaskRunner {
  private readonly tasks = new Map<string, SimTask>();
  private readonly byNode = new Map<string, SimTask[]>();
  private nextPid = 0x2a00;

  constructor(
    private readonly now: () => number,
    private readonly timers: TimerSet,
  ) {}

  /** A task that ends by itself after `durationMs`, with the status `finish` returns. */
  start(request: TaskStart): SimTask {
    const task = this.open(request);
    const end = (): void => {
      let exitstatus: string;
      try {
        exitstatus = request.finish();
      } catch (error) {
        exitstatus = error instanceof Error ? error.message : String(error);
      }
      this.end(task, exitstatus);
    };
    if (request.durationMs <= 0) end();
    else this.timers.after(request.durationMs, end);
    return task;
  }

  /** A running task whose owner appends log lines and ends it (a backup job). */
  open(request: TaskIdentity): SimTask {
    const pid = this.nextPid++;
    const pstart = 0x1000000 + pid * 7;
    const starttime = Math.floor(this.now() / 1000);
    const upid = `UPID:${request.node}:${hex8(pid)}:${hex8(pstart)}:${hex8(starttime)}:${request.type}:${request.id}:${request.user}:`;
    const bang = request.user.indexOf("!");
    const task: SimTask = {
      upid,
      node: request.node,
      pid,
      pstart,
      starttime,
      type: request.type,
      id: request.id,
      user: bang >= 0 ? request.user.slice(0, bang) : request.user,
      status: "running",
      log: [],
    };
    if (bang >= 0) task.tokenid = request.user.slice(bang + 1);
    this.tasks.set(upid, task);
    const list = this.byNode.get(request.node) ?? [];
    list.push(task);
    this.byNode.set(request.node, list);
    this.rotate(list);
    return task;
  }

  /** Ends a running task; the last log line says how, as PVE's worker writes it. */
  end(task: SimTask, exitstatus: string): void {
    if (task.status === "stopped") return;
    task.status = "stopped";
    task.exitstatus = exitstatus;
    task.endtime = Math.floor(this.now() / 1000);
    task.log.push(exitstatus === "OK" ? "TASK OK" : /^WARNINGS: \d+$/.test(exitstatus) ? `TASK ${exitstatus}` : `TASK ERROR: ${exitstatus}`);
  }

  get(upid: string): SimTask | undefined {
    return this.tasks.get(upid);
  }

  /** Newest first. */
  list(node: string): SimTask[] {
    return [...(this.byNode.get(node) ?? [])].reverse();
  }

  /** What a node broadcasts for /cluster/tasks: every running task, then the newest finished ones up to 25 in all. */
  recent(node: string): SimTask[] {
    const all = this.list(node);
    const running = all.filter((task) => task.status === "running");
    const finished = all.filter((task) => task.status === "stopped");
    return [...running, ...finished.slice(0, Math.max(0, CLUSTER_TASKS_PER_NODE - running.length))];
  }

  nodes(): string[] {
    return [...this.byNode.keys()];
  }

  private rotate(list: SimTask[]): void {
    while (list.length > ARCHIVE_PER_NODE) {
      const index = list.findIndex((task) => task.status === "stopped");
      if (index < 0) return;
      const [dropped] = list.splice(index, 1);
      this.tasks.delete(dropped!.upid);
    }
  }
}
