import { fileURLToPath } from "node:url";
import type { BridgeInfo } from "../publish/info.js";
import { RUNTIME_ENV, RUNTIME_FLAGS } from "../runtime.js";
import { JsonLineChild } from "./child.js";

/** The built script, whether this module runs from dist/bench (the bench) or src/bench (the tests). */
const CLI = fileURLToPath(new URL("../../dist/bench/bridge-cli.js", import.meta.url));

/** The bridge in a child process run as it ships (V8 flags and environment, see src/runtime.ts): its CPU and memory alone. */
export class BridgeProcess {
  private constructor(private readonly child: JsonLineChild) {}

  /** Starts the bridge with its clock `clockOffsetMs` ahead of real time (as the simulator's is). */
  static async start(configPath: string, clockOffsetMs = 0): Promise<BridgeProcess> {
    // BENCH_BRIDGE_FLAGS: extra node flags for the bridge alone, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    const extra = (process.env.BENCH_BRIDGE_FLAGS ?? "").split(/\s+/).filter(Boolean);
    const { child } = await JsonLineChild.start("bridge", CLI, [configPath, String(clockOffsetMs)], [...RUNTIME_FLAGS, ...extra], RUNTIME_ENV);
    const bridge = new BridgeProcess(child);
    await bridge.ask({ cmd: "start" });
    return bridge;
  }

  info(): Promise<BridgeInfo> {
    return this.ask<BridgeInfo>({ cmd: "info" });
  }

  /** One poll; resolves to the bridge process's CPU time for it, in microseconds. */
  async poll(): Promise<number> {
    return (await this.ask<{ cpuMicros: number }>({ cmd: "poll" })).cpuMicros;
  }

  async clock(offsetMs: number): Promise<void> {
    await this.ask({ cmd: "clock", offsetMs });
  }

  async peakRssMb(): Promise<number> {
    return (await this.ask<{ peakRssMb: number }>({ cmd: "peak" })).peakRssMb;
  }

  /** RSS after full collections: what the bridge keeps, not garbage waiting. */
  async settledRssMb(): Promise<number> {
    return (await this.memory()).rssMb;
  }

  /** Settled RSS with the V8 heap and external memory beside it (MB). */
  memory(): Promise<{ rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; arrayBuffersMb: number }> {
    return this.ask({ cmd: "rss" });
  }

  /** `http://host:port` of the bridge's HTTP side (panel, /health), when its config sets `http.port`. */
  async url(): Promise<string | null> {
    return (await this.ask<{ url: string | null }>({ cmd: "url" })).url;
  }

  /** The bridge process's CPU time since it started (µs). */
  async cpuMicros(): Promise<number> {
    return (await this.ask<{ cpuMicros: number }>({ cmd: "cpu" })).cpuMicros;
  }

  /** The process's VmHWM now (MB): its peak RSS since it started or since resetPeak(). */
  async hwmMb(): Promise<number> {
    return (await this.ask<{ hwmMb: number }>({ cmd: "hwm" })).hwmMb;
  }

  /** Resets VmHWM to the RSS now (Linux), so the next hwmMb() is the peak from here on. */
  async resetPeak(): Promise<void> {
    await this.ask({ cmd: "resetPeak" });
  }

  /** Whether anything reached Object.prototype inside the bridge's process. */
  async prototypePolluted(): Promise<boolean> {
    return (await this.ask<{ polluted: boolean }>({ cmd: "prototype" })).polluted;
  }

  async stop(): Promise<void> {
    await this.ask({ cmd: "stop" }).catch(() => undefined);
    await this.child.stop();
  }

  private async ask<T>(command: Record<string, unknown>): Promise<T> {
    const answer = await this.child.ask<T & { error?: string }>(command);
    if (answer && typeof answer === "object" && "error" in answer && answer.error) throw new Error(`bridge: ${answer.error}`);
    return answer;
  }
}
