/**
 * The bridge under test, in a process of its own started with the daemon's runtime flags, so its
 * CPU and memory are measured without the benchmark's own work. JSON-line commands on stdin, one
 * answer line each, in order: start, poll (answers the CPU the poll used), clock (offset of the
 * injected clock), info, peak (peak RSS so far), rss (settled RSS now), prototype (is
 * Object.prototype polluted?), url (of the HTTP side, with `http.port`), cpu (the process's CPU
 * so far), hwm (VmHWM now), resetPeak (VmHWM back to the RSS now), stop. Used by the benchmark
 * and by the fuzz test.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Bridge } from "../bridge.js";
import { loadConfig } from "../config/load.js";
import { silentLogger } from "../log.js";

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write("usage: node dist/bench/bridge-cli.js CONFIG [CLOCK_OFFSET_MS]\n");
  process.exit(2);
}
/** Shift of the injected clock (argv[3], then `clock` commands): the simulator's clock moves by the same. */
let offsetMs = Number(process.argv[3] ?? 0);
const now = (): number => Date.now() + offsetMs;
const bridge = new Bridge({ config: loadConfig({ path: configPath, env: {} }), log: silentLogger(), now, tuning: { pve: { now } } });

type Command =
  | { cmd: "start" }
  | { cmd: "poll" }
  | { cmd: "clock"; offsetMs: number }
  | { cmd: "info" }
  | { cmd: "peak" }
  | { cmd: "rss" }
  | { cmd: "prototype" }
  | { cmd: "url" }
  | { cmd: "cpu" }
  | { cmd: "hwm" }
  | { cmd: "resetPeak" }
  | { cmd: "stop" };

// Full collections on demand, for a settled RSS reading: what is kept, not garbage waiting.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** The lowest RSS of a few readings after full collections, in MB. */
async function settledRssMb(): Promise<number> {
  let lowest = Number.POSITIVE_INFINITY;
  // V8 hands freed pages back to the system from a background task: give it a moment between readings.
  for (let i = 0; i < 6; i++) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 200));
    lowest = Math.min(lowest, process.memoryUsage().rss);
  }
  return lowest / 1e6;
}

async function answer(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "start":
      await bridge.start();
      return bridge.info;
    case "poll": {
      const before = process.cpuUsage();
      await bridge.pollNow();
      const used = process.cpuUsage(before);
      return { cpuMicros: used.user + used.system };
    }
    case "clock":
      offsetMs = command.offsetMs;
      return {};
    case "info":
      return bridge.info;
    case "peak":
      return { peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6 };
    case "rss": {
      const rssMb = await settledRssMb();
      const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
      const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
      return { rssMb, heapUsedMb: mb(heapUsed), heapTotalMb: mb(heapTotal), externalMb: mb(external), arrayBuffersMb: mb(arrayBuffers) };
    }
    case "prototype": {
      // Whether hostile payloads reached Object.prototype inside the bridge's process.
      const probe = {} as Record<string, unknown>;
      return { polluted: probe.polluted !== undefined || probe.isAdmin !== undefined };
    }
    case "url":
      return { url: bridge.httpUrl };
    case "cpu": {
      const used = process.cpuUsage();
      return { cpuMicros: used.user + used.system };
    }
    case "hwm":
      return { hwmMb: (Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024) / 1e6 };
    case "resetPeak":
      // Linux: "5" resets the peak RSS (VmHWM) to the RSS now, so a phase's peak is its own
      writeFileSync("/proc/self/clear_refs", "5");
      return {};
    case "stop":
      await bridge.stop();
      return {};
  }
}

const write = (value: unknown): void => void process.stdout.write(`${JSON.stringify(value)}\n`);
let queue = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  queue = queue.then(async () => {
    const command = JSON.parse(line) as Command;
    try {
      write(await answer(command));
    } catch (error) {
      write({ error: error instanceof Error ? error.message : String(error) });
    }
    if (command.cmd === "stop") process.exit(0);
  });
});
process.once("SIGTERM", () => void bridge.stop().then(() => process.exit(0)));
write({ ready: true });
