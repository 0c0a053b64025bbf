/**
 * The bridge under test, in a process of its own started with the daemon's runtime flags, so its
 * CPU and memory are measured without the benchmark's own work. JSON-line commands on stdin, one
 * answer line each, in order: start, poll (answers the CPU the poll used), clock (offset of the
 * injected clock), info, peak (peak RSS so far), stop.
 */
import { createInterface } from "node:readline";
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

type Command = { cmd: "start" } | { cmd: "poll" } | { cmd: "clock"; offsetMs: number } | { cmd: "info" } | { cmd: "peak" } | { cmd: "stop" };

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
