/**
 * One cluster size of the benchmark: `node dist/bench/size.js NODES GUESTS`. The simulator, the
 * broker, an MQTT observer and the bridge itself each run in a child process, so the bridge's CPU
 * and peak RSS are its own. Progress goes to stderr; the last stdout line is the JSON result rows.
 */
import { BridgeProcess } from "./bridge-process.js";
import { brokerRestart, PEAK_LIMIT_MB } from "./broker-restart.js";
import { startBroker, type BenchBroker } from "./broker.js";
import { measureBusy } from "./busy.js";
import { BenchDirectory, USER, writeBridgeConfig } from "./config.js";
import { moveAndPoll } from "./cycles.js";
import { FloorClient } from "./floor.js";
import { TASK_MS, taskLatencies } from "./latency.js";
import { LOGIN_HOURS, loginsOverTwoHours } from "./logins.js";
import { ObserverProcess } from "./observer.js";
import { panelCost } from "./panel.js";
import { plainStartPeak } from "./plain-start.js";
import { measurePveSide } from "./pve-side.js";
import { atMost, p95, reportRows, round, sizeLabel, type ResultRow } from "./report.js";
import type { Rig } from "./rig.js";
import { SimProcess } from "./sim-process.js";

/**
 * V8 keeps optimizing the bridge's code for many cycles: a function becomes "hot" after enough
 * calls, and a small cluster makes few calls a cycle (measured with --trace-opt: at 2,000 guests
 * ~40 optimizing compiles in cycles 5–9 and one or two a cycle from ~25 on; at 30 guests still
 * about one a cycle at cycle 90). Warm-up is start-up cost; the steady cycles are what a daemon
 * runs for months. The floor replays every warm-up cycle too, so its code is as warm.
 */
const WARMUP_CYCLES = 100;
const CPU_CYCLES = 30;
const FROZEN_CYCLES = 20;

const progress = (text: string): void => {
  process.stderr.write(`[bench ${label}] ${text} (rss ${Math.round(process.memoryUsage().rss / 1e6)} MB)\n`);
};

const [nodes, guests] = process.argv.slice(2).map(Number) as [number, number];
if (!Number.isInteger(nodes) || !Number.isInteger(guests) || nodes < 1 || guests < 0) {
  process.stderr.write("usage: node dist/bench/size.js NODES GUESTS\n");
  process.exit(2);
}
const label = sizeLabel(nodes, guests);
const isLargest = nodes === 20 && guests === 2000;
const isSmallest = nodes === 3 && guests === 30;

async function main(): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const directory = new BenchDirectory();
  let sim: SimProcess | null = null;
  let broker: BenchBroker | null = null;
  let observer: ObserverProcess | null = null;
  let bridge: BridgeProcess | null = null;
  let floor: FloorClient | null = null;
  try {
    // the plain start first, on a simulator and broker of its own: nothing else runs meanwhile
    if (isSmallest) {
      const plain = await plainStartPeak(nodes, guests, label, directory);
      rows.push(...plain.rows);
      progress(plain.summary);
    }

    sim = await SimProcess.start({ nodes, guests, taskMs: TASK_MS });
    broker = await startBroker();
    observer = await ObserverProcess.start(broker.url);
    const config = writeBridgeConfig(directory.path("config.yaml"), sim, broker.url);
    progress(`simulator ${sim.info.urls[0]}, ${broker.kind} ${broker.url}`);

    // start → everything published
    bridge = await BridgeProcess.start(config);
    const rig: Rig = { sim, observer, bridge, clock: { offsetMs: 0 } };
    const info = await bridge.info();
    const firstPollAt = Date.parse(info.last_poll!);
    const burst = await observer.quiet(1000);
    // the cluster device is not among info.devices
    const devices = Object.values(info.devices).reduce((sum, count) => sum + count, 0) + 1;
    const startupMs = burst.lastAt - firstPollAt;
    progress(`start: ${burst.count} messages, ${devices} devices, all out ${startupMs} ms after the first poll; bridge peak ${round(await bridge.peakRssMb())} MB`);
    if (isLargest) rows.push(atMost(label, "start → all discovery and states published (s)", startupMs / 1000, 3));

    // warm-up, then cycles of a moving cluster: the CPU of the bridge and of the floor, which
    // replays each cycle's GET requests right after the bridge made them (connections kept open)
    floor = await FloorClient.login({ url: sim.info.urls[0]!, user: USER, password: sim.info.users[USER]! });
    for (let i = 0; i < WARMUP_CYCLES; i++) await moveAndPoll(rig, { floor });
    let cpuMicros = 0;
    let floorMicros = 0;
    for (let i = 0; i < CPU_CYCLES; i++) {
      const cycle = await moveAndPoll(rig, { floor });
      cpuMicros += cycle.bridgeMicros;
      floorMicros += cycle.floorMicros;
    }
    await floor.close();
    floor = null;
    const bridgeCpuMs = cpuMicros / 1000 / CPU_CYCLES;
    const floorMs = floorMicros / 1000 / CPU_CYCLES;
    progress(`CPU: bridge ${round(bridgeCpuMs)} ms per poll, floor ${round(floorMs)} ms, ratio ${round(bridgeCpuMs / floorMs)}; bridge peak ${round(await bridge.peakRssMb())} MB`);

    // what PVE pays in a steady cluster, each poll on fresh connections as at a 30 s interval
    const pveSide = await measurePveSide(rig, label, nodes, guests);
    rows.push(...pveSide.rows);
    progress(`PVE side: ${pveSide.summary}`);

    // the same with a backup job running and guests starting from outside the bridge
    const busy = await measureBusy(rig, label, nodes, guests, pveSide.bridgeMs);
    rows.push(...busy.rows);
    progress(`busy: ${busy.summary}`);

    // a frozen cluster: only the periodic re-publishes (and the bridge's own health panel)
    await sim.freeze(true);
    await bridge.poll();
    const frozenStart = await observer.quiet(300);
    // the clock stays put too: uptime frozen while time moves would shift every boot_time
    for (let i = 0; i < FROZEN_CYCLES; i++) await bridge.poll();
    const frozenEnd = await observer.quiet(500);
    const perCycle = (frozenEnd.count - frozenStart.count) / FROZEN_CYCLES;
    // every device is due once per 10 cycles; bridge/info (last_poll) changes every cycle
    const due = devices / 10 + 1;
    rows.push(atMost(label, "MQTT messages per steady cycle, frozen cluster", perCycle, due, `≤ ${round(due)} (devices due + bridge/info)`));
    progress(`frozen: ${round(perCycle)} messages per cycle (due ${round(due)}); bridge peak ${round(await bridge.peakRssMb())} MB`);

    // task end → state on MQTT
    const latencies = await taskLatencies(sim, observer);
    rows.push(atMost(label, "task end → state published, p95 (s)", p95(latencies) / 1000, 1));
    progress(`task latency p95 ${p95(latencies)} ms over ${latencies.length} samples`);

    // The bridge's peak: start-up, steady, busy, frozen and command phases.
    const peakMb = await bridge.peakRssMb();
    if (isLargest) rows.push(atMost(label, "peak RSS before the broker restart (MB)", peakMb, PEAK_LIMIT_MB));
    progress(`peak RSS ${round(peakMb)} MB`);

    const restart = await brokerRestart(rig, broker, label, isLargest);
    rows.push(...restart.rows);
    progress(restart.summary);

    // What follows (a second bridge for the login test) is the benchmark's own work, not the daemon's.
    await bridge.stop();
    bridge = null;

    // the web panel, with a fresh bridge serving it: first render, and a connected browser's cost
    if (isLargest) {
      const panel = await panelCost({ sim, observer, brokerUrl: broker.url, clock: rig.clock, directory, label, progress });
      rows.push(...panel.rows);
      progress(panel.summary);
    }

    // 2 h of simulated time with a fresh bridge: logins and failed requests
    const logins = await loginsOverTwoHours(sim, config, rig.clock);
    rows.push(atMost(label, `logins in ${LOGIN_HOURS} h of simulated time`, logins.logins, 3));
    rows.push(atMost(label, `failed PVE requests in ${LOGIN_HOURS} h (a 403 for a privilege not granted apart)`, logins.failed, 0, "0"));
    const failedPaths = logins.failedPaths.length > 0 ? ` (${logins.failedPaths.join(", ")})` : "";
    progress(`2 h: ${logins.logins} logins/renewals, ${logins.failed} failed requests, ${logins.forbidden} updates refused for want of Sys.Modify${failedPaths}`);

    rows.push(atMost(label, "bridge CPU per cycle (ms)", bridgeCpuMs, 3 * floorMs, `≤ 3 × floor (${round(floorMs)} ms) = ${round(3 * floorMs)}`));
    rows.push(atMost(label, "bridge CPU / floor CPU", bridgeCpuMs / floorMs, 3));
    return rows;
  } finally {
    await bridge?.stop().catch(() => undefined);
    await floor?.close();
    await observer?.stop();
    await broker?.stop();
    await sim?.stop();
    directory.remove();
  }
}

reportRows(label, main);
