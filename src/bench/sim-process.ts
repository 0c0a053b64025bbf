import { fileURLToPath } from "node:url";
import type { SimGuestSummary } from "../sim/types.js";
import { JsonLineChild } from "./child.js";

export interface SimGreeting {
  urls: string[];
  fingerprint: string;
  users: Record<string, string>;
}

export interface SimStats {
  requests: number;
  logins: number;
  renewals: number;
  failed: number;
  byStatus: Record<string, number>;
  byPath: Record<string, number>;
  /** TLS connections the simulator accepted since it started. */
  tlsConnections: number;
  /** The simulator process's CPU since it started (µs): what PVE's side pays. */
  cpuMicros: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  at: number;
}

/** One guest in brief, as the simulator's `guests` control command answers. */
export type SimGuestBrief = SimGuestSummary;

const CLI = fileURLToPath(new URL("../sim/cli.js", import.meta.url));

/** The PVE simulator in a child process (its CPU is not the bridge's), driven by `src/sim/cli.ts` commands. */
export class SimProcess {
  private constructor(
    private readonly child: JsonLineChild,
    readonly info: SimGreeting,
  ) {}

  static async start(options: { nodes: number; guests: number; taskMs: number }): Promise<SimProcess> {
    const args = ["--nodes", String(options.nodes), "--guests", String(options.guests), "--task-ms", String(options.taskMs)];
    const { child, greeting } = await JsonLineChild.start<SimGreeting>("simulator", CLI, args);
    return new SimProcess(child, greeting);
  }

  /** Every stats answer also proves the commands sent before it were applied. */
  stats(): Promise<SimStats> {
    return this.child.ask<SimStats>({ cmd: "stats" });
  }

  async requests(method?: string): Promise<LoggedRequest[]> {
    const answer = await this.child.ask<{ requests: LoggedRequest[] }>({ cmd: "requests", ...(method ? { method } : {}) });
    return answer.requests;
  }

  async clearRequests(): Promise<void> {
    this.child.tell({ cmd: "clearRequests" });
    await this.stats();
  }

  /** A command whose answer is its result or {"error"} when the simulator refused it. */
  private async control<T>(command: Record<string, unknown>): Promise<T> {
    const reply = await this.child.ask<T | { error: string }>(command);
    if (typeof reply === "object" && reply !== null && "error" in reply) throw new Error(`simulator refused ${String(command.cmd)}: ${reply.error}`);
    return reply as T;
  }

  /** Closes idle connections, as PVE's proxy does ~5 s after a connection's last request. */
  async closeIdle(): Promise<void> {
    this.child.tell({ cmd: "closeIdle" });
    await this.stats();
  }

  async freeze(value: boolean): Promise<void> {
    this.child.tell({ cmd: "freeze", value });
    await this.stats();
  }

  /** Moves counters and uptime as if `ms` had passed. */
  async advance(ms: number): Promise<void> {
    this.child.tell({ cmd: "advance", ms });
    await this.stats();
  }

  /** The simulator's clock is real time + offsetMs (total, not a step). */
  async clock(offsetMs: number): Promise<void> {
    this.child.tell({ cmd: "clock", offsetMs });
    await this.stats();
  }

  /** Every guest in vmid order, in brief. */
  async guests(): Promise<SimGuestBrief[]> {
    return (await this.control<{ guests: SimGuestBrief[] }>({ cmd: "guests" })).guests;
  }

  /** A backup job as PVE's scheduler runs it (root@pam, no API call): one vzdump task on `node`; its UPID. */
  async startBackup(job: { node: string; vmids: number[]; storage: string }): Promise<string> {
    return (await this.control<{ upid: string }>({ cmd: "backup", ...job })).upid;
  }

  /** A guest started outside the bridge (`qm start` on the node): a qmstart / vzstart task; its UPID. */
  async startGuest(vmid: number): Promise<string> {
    return (await this.control<{ upid: string }>({ cmd: "startGuest", vmid })).upid;
  }

  /** How far a task got: its log lines so far and whether it ended. */
  task(upid: string): Promise<{ lines: number; ended: boolean }> {
    return this.control({ cmd: "task", upid });
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
