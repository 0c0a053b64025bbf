import { fileURLToPath } from "node:url";
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

  stop(): Promise<void> {
    return this.child.stop();
  }
}
