/**
 * The peak memory of the bridge started as the README says (`node dist/cli.js run`, no flags, no
 * environment of ours): the entry point relaunches itself with the runtime flags, so what the
 * user's machine pays is the process tree: the relaunched bridge's peak RSS (VmHWM, exact) plus
 * the memory the relaunching parent alone maps (its private pages, sampled; the rest is the node
 * binary, which it shares with the bridge). PSS is not used: it splits the node binary's pages
 * among every node process on the machine, the benchmark's own included.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { terminate } from "./child.js";
import { peakRssMb, privateMb, processTree, treeMemory } from "./process-memory.js";
import { atMost, info, round, type ResultRow } from "./report.js";
import { pause } from "./rig.js";
import { startBroker } from "./broker.js";
import { ObserverProcess } from "./observer.js";
import { SimProcess } from "./sim-process.js";
import { writeBridgeConfig, type BenchDirectory } from "./config.js";

const CLI = fileURLToPath(new URL("../cli.js", import.meta.url));
/** Real polls, 2 s apart (the interval only makes them come sooner than the default 30 s). */
const INTERVAL_S = 2;
const POLLS = 15;
const SAMPLE_MS = 100;
/** Beyond the polls themselves. */
const DEADLINE_MS = 60_000;
export const PLAIN_START_LIMIT_MB = 90;

/** Environment as a user's shell has it: none of the flags, arena limit or relaunch marker the benchmark may carry. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name === "NODE_OPTIONS" || name === "MALLOC_ARENA_MAX" || name.startsWith("RELAUNCHED_BY") || name.startsWith("PVE2MQTT_")) continue;
    env[name] = value;
  }
  return env;
}

/** Runs its own simulator, broker and subscriber; the bridge polls POLLS times on its own timer. */
export async function plainStartPeak(
  nodes: number,
  guests: number,
  label: string,
  directory: BenchDirectory,
  timing: { intervalS: number; polls: number } = { intervalS: INTERVAL_S, polls: POLLS },
): Promise<{ rows: ResultRow[]; summary: string }> {
  const { intervalS, polls } = timing;
  const sim = await SimProcess.start({ nodes, guests, taskMs: 1000 });
  const broker = await startBroker();
  const observer = await ObserverProcess.start(broker.url);
  const config = writeBridgeConfig(directory.path("plain-start.yaml"), sim, broker.url, { intervalS, logLevel: "warn" });
  let stderr = "";
  const child = spawn(process.execPath, [CLI, "run", "--config", config], { stdio: ["ignore", "ignore", "pipe"], env: userEnvironment() });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  try {
    let pss = 0;
    let rss = 0;
    let parentOwn = 0;
    let tree: number[] = [];
    const deadline = Date.now() + polls * intervalS * 1000 + DEADLINE_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`node dist/cli.js run exited (${child.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`node dist/cli.js run did not publish ${polls} polls in time: ${stderr}`);
      tree = processTree(child.pid!);
      const now = treeMemory(tree);
      pss = Math.max(pss, now.pssMb);
      rss = Math.max(rss, now.rssMb);
      parentOwn = Math.max(parentOwn, privateMb(child.pid!));
      // bridge/info goes out after every poll (its last_poll changes)
      if ((await observer.last("pve2mqtt/bridge/info")).count > polls) break;
      await pause(SAMPLE_MS);
    }
    const [parent, ...relaunched] = tree;
    const parentPeak = peakRssMb(parent!);
    const bridgePeak = relaunched.reduce((sum, pid) => sum + peakRssMb(pid), 0);
    if (relaunched.length === 0) throw new Error("node dist/cli.js run did not relaunch itself with the runtime flags");
    const rows = [
      atMost(label, "plain `node dist/cli.js run`: peak, process tree (MB)", bridgePeak + parentOwn, PLAIN_START_LIMIT_MB),
      info(label, "plain start: relaunched bridge's peak RSS (MB)", bridgePeak),
      info(label, "plain start: relaunching parent's own memory (MB)", parentOwn),
    ];
    const summary =
      `plain start, ${polls} polls ${intervalS} s apart: bridge VmHWM ${round(bridgePeak)} MB + parent's private ${round(parentOwn)} MB (parent VmHWM ${round(parentPeak)} MB); ` +
      `sampled peaks of the tree: PSS ${round(pss)} MB, RSS summed ${round(rss)} MB`;
    return { rows, summary };
  } finally {
    await terminate(child, 5_000);
    await observer.stop();
    await broker.stop();
    await sim.stop();
  }
}
