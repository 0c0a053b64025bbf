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
}

export interface TaskStart {
  node: string;
  type: string;
  id: string;
  /** "user@realm" or "user@realm!token" */
  user: string;
  durationMs: number;
  /** Runs when the task ends; returns the exit status ("OK", "WARNINGS: 1", an error text). */
  finish: () => string;
}

const hex8 = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

/** Worker tasks with UPIDs, per node, ending after a while like PVE's forked workers. */
export class TaskRunner {
  private readonly tasks = new Map<string, SimTask>();
  private readonly byNode = new Map<string, SimTask[]>();
  private nextPid = 0x2a00;

  constructor(
    private readonly now: () => number,
    private readonly timers: TimerSet,
  ) {}

  start(request: TaskStart): SimTask {
    const pid = this.nextPid++;
    const pstart = 0x1000000 + pid * 7;
    const starttime = Math.floor(this.now() / 1000);
    const upid = `UPID:${request.node}:${hex8(pid)}:${hex8(pstart)}:${hex8(starttime)}:${request.type}:${request.id}:${request.user}:`;
    const task: SimTask = {
      upid,
      node: request.node,
      pid,
      pstart,
      starttime,
      type: request.type,
      id: request.id,
      user: request.user.includes("!") ? request.user.slice(0, request.user.indexOf("!")) : request.user,
      status: "running",
    };
    if (request.user.includes("!")) task.tokenid = request.user.slice(request.user.indexOf("!") + 1);
    this.tasks.set(upid, task);
    const list = this.byNode.get(request.node) ?? [];
    list.push(task);
    this.byNode.set(request.node, list);
    const end = (): void => {
      let exitstatus: string;
      try {
        exitstatus = request.finish();
      } catch (error) {
        exitstatus = error instanceof Error ? error.message : String(error);
      }
      task.status = "stopped";
      task.exitstatus = exitstatus;
      task.endtime = Math.floor(this.now() / 1000);
    };
    if (request.durationMs <= 0) end();
    else this.timers.after(request.durationMs, end);
    return task;
  }

  get(upid: string): SimTask | undefined {
    return this.tasks.get(upid);
  }

  /** Newest first. */
  list(node: string): SimTask[] {
    return [...(this.byNode.get(node) ?? [])].reverse();
  }
}
