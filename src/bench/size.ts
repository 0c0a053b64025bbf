/**
 * One cluster size of the benchmark: `node dist/bench/size.js NODES GUESTS`. The simulator, the
 * broker, an MQTT observer and the bridge itself each run in a child process, so the bridge's CPU
 * and peak RSS are its own. Progress goes to stderr; the last stdout line is the JSON result rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { BridgeProcess } from "./bridge-process.js";
import { startBroker, type BenchBroker } from "./broker.js";
import { FloorClient } from "./floor.js";
import { ObserverProcess } from "./observer.js";
import { atMost, p95, round, sizeLabel, type ResultRow } from "./report.js";
import { SimProcess, type SimStats } from "./sim-process.js";

const USER = "pve2mqtt@pve";
/** Simulated time between two cycles: the default poll interval. */
const CYCLE_MS = 30_000;
/**
 * V8 keeps optimizing the bridge's code for many cycles: a function becomes "hot" after enough
 * calls, and a small cluster makes few calls a cycle (measured with --trace-opt: at 2,000 guests
 * ~40 optimizing compiles in cycles 5–9 and one or two a cycle from ~25 on; at 30 guests still
 * about one a cycle at cycle 90). Warm-up is start-up cost; the steady cycles are what a daemon
 * runs for months. The floor replays every warm-up cycle too, so its code is as warm.
 */
const WARMUP_CYCLES = 100;
/** 30 = the longest detail cadence, so every slow detail is fetched exactly as often as on average. */
const STEADY_CYCLES = 30;
const FROZEN_CYCLES = 20;
/** How long the subscriber must have received nothing before the bridge polls and before the floor replays. */
const SETTLE_MS = 20;
const LATENCY_SAMPLES = 50;
/** The start limiter lets 3 tasks start per second. */
const LATENCY_BATCH = 3;
const TASK_MS = 1000;
const LOGIN_HOURS = 2;
const LOGIN_STEP_MS = 5 * 60_000;
const CORE_PATH = /^GET \/(cluster\/resources|cluster\/status|version|nodes\/[^/]+\/status)$/;

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

/** How far the bridge's clock and the simulator's ticket clock were moved, together. */
let offsetMs = 0;

async function main(): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const sim = await SimProcess.start({ nodes, guests, taskMs: TASK_MS });
  let broker: BenchBroker | null = null;
  let observer: ObserverProcess | null = null;
  let bridge: BridgeProcess | null = null;
  let floor: FloorClient | null = null;
  const directory = mkdtempSync(join(tmpdir(), "pve2mqtt-bench-"));
  try {
    broker = await startBroker();
    observer = await ObserverProcess.start(broker.url);
    const config = writeConfig(directory, sim, broker.url);
    progress(`simulator ${sim.info.urls[0]}, ${broker.kind} ${broker.url}`);

    // start → everything published
    bridge = await BridgeProcess.start(config);
    const info = await bridge.info();
    const firstPollAt = Date.parse(info.last_poll!);
    const burst = await observer.quiet(1000);
    const devices = Object.values(info.devices).reduce((sum, count) => sum + count, 0);
    const startupMs = burst.lastAt - firstPollAt;
    progress(`start: ${burst.count} messages, ${devices} devices, all out ${startupMs} ms after the first poll; bridge peak ${round(await bridge.peakRssMb())} MB`);
    if (isLargest) rows.push(atMost(label, "start → all discovery and states published (s)", startupMs / 1000, 3));

    // warm-up, then steady cycles of a moving cluster: requests, and the CPU of the bridge and of
    // the floor, which replays each cycle's GET requests right after the bridge made them
    floor = await FloorClient.login({ url: sim.info.urls[0]!, user: USER, password: sim.info.users[USER]! });
    for (let i = 0; i < WARMUP_CYCLES; i++) await moveAndPoll(sim, bridge, floor, observer);
    let cpuMicros = 0;
    let floorMicros = 0;
    let coreMax = 0;
    let total = 0;
    for (let i = 0; i < STEADY_CYCLES; i++) {
      const cycle = await moveAndPoll(sim, bridge, floor, observer);
      cpuMicros += cycle.bridgeMicros;
      floorMicros += cycle.floorMicros;
      coreMax = Math.max(coreMax, coreRequests(cycle.stats));
      total += cycle.stats.requests;
    }
    await floor.close();
    floor = null;
    const bridgeCpuMs = cpuMicros / 1000 / STEADY_CYCLES;
    const floorMs = floorMicros / 1000 / STEADY_CYCLES;
    rows.push(atMost(label, "PVE requests per steady cycle, core", coreMax, 2 + nodes, `≤ 2 + N = ${2 + nodes}`));
    const allLimit = 2 + nodes + Math.ceil(guests / 5);
    rows.push(atMost(label, "PVE requests per cycle, all included", total / STEADY_CYCLES, allLimit, `≤ 2 + N + ⌈G/5⌉ = ${allLimit}`));
    progress(`steady: core ≤ ${coreMax}, all ${round(total / STEADY_CYCLES)} per cycle, bridge CPU ${round(bridgeCpuMs)} ms per cycle, floor ${round(floorMs)} ms; bridge peak ${round(await bridge.peakRssMb())} MB`);

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

    // The bridge's peak: start-up, steady, frozen and command phases. What follows (a second bridge
    // for the login test) is the benchmark's own work, not the daemon's.
    const peakMb = await bridge.peakRssMb();
    if (isLargest) rows.push(atMost(label, "peak RSS (MB)", peakMb, 120));
    progress(`peak RSS ${round(peakMb)} MB`);

    await bridge.stop();
    bridge = null;

    // 2 h of simulated time with a fresh bridge: logins and failed requests
    const logins = await loginsOverTwoHours(sim, config);
    rows.push(atMost(label, `logins in ${LOGIN_HOURS} h of simulated time`, logins.logins, 3));
    rows.push(atMost(label, `failed PVE requests in ${LOGIN_HOURS} h`, logins.failed, 0, "0"));
    progress(`2 h: ${logins.logins} logins/renewals, ${logins.failed} failed requests`);

    rows.push(atMost(label, "bridge CPU per cycle (ms)", bridgeCpuMs, 3 * floorMs, `≤ 3 × floor (${round(floorMs)} ms) = ${round(3 * floorMs)}`));
    rows.push(atMost(label, "bridge CPU / floor CPU", bridgeCpuMs / floorMs, 3));
    progress(`floor ${round(floorMs)} ms per cycle, ratio ${round(bridgeCpuMs / floorMs)}`);
    return rows;
  } finally {
    await bridge?.stop().catch(() => undefined);
    await floor?.close();
    await observer?.stop();
    await broker?.stop();
    await sim.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Writes the bridge's config.yaml and returns its path. */
function writeConfig(directory: string, sim: SimProcess, brokerUrl: string): string {
  const path = join(directory, "config.yaml");
  const raw = {
    proxmox: { hosts: sim.info.urls.join(","), user: USER, password: sim.info.users[USER], fingerprint: [sim.info.fingerprint], timeout: 30 },
    mqtt: { url: brokerUrl, base_topic: "pve2mqtt" },
    // cycles are driven by pollNow(): the timer never fires during the run
    poll: { interval: 86_400 },
    log: { level: "silent" },
  };
  writeFileSync(path, dump(raw));
  return path;
}

/**
 * One cycle: the cluster moves, the bridge polls it, the floor replays the bridge's GET requests.
 * Each side starts on a machine settled alike: nothing received by the subscriber for SETTLE_MS
 * (the broker and the subscriber still handle the bridge's messages for a few ms after a poll,
 * and a CPU left idle longer runs the next work cooler, at a higher CPU cost).
 */
async function moveAndPoll(
  sim: SimProcess,
  bridge: BridgeProcess,
  floor: FloorClient,
  observer: ObserverProcess,
): Promise<{ bridgeMicros: number; floorMicros: number; stats: SimStats }> {
  await sim.advance(CYCLE_MS);
  offsetMs += CYCLE_MS;
  await bridge.clock(offsetMs);
  await sim.clearRequests();
  await observer.quiet(SETTLE_MS);
  const bridgeMicros = await bridge.poll();
  const stats = await sim.stats();
  const requests = await sim.requests("GET");
  await observer.quiet(SETTLE_MS);
  const floorMicros = await floor.replay(requests);
  return { bridgeMicros, floorMicros, stats };
}

function coreRequests(stats: SimStats): number {
  return Object.entries(stats.byPath).reduce((sum, [path, count]) => (CORE_PATH.test(path) ? sum + count : sum), 0);
}

/**
 * Starts or stops guests over MQTT, LATENCY_BATCH at a time, and measures from each task's end
 * (the POST's arrival in the simulator + the task's duration) to the first state with the new
 * status on the broker.
 */
async function taskLatencies(sim: SimProcess, observer: ObserverProcess): Promise<number[]> {
  const candidates = (await observer.guests()).filter((guest) => guest.status === "running" || guest.status === "stopped");
  // spread the samples over the cluster, alternating running and stopped guests where possible
  const step = Math.max(1, Math.floor(candidates.length / LATENCY_SAMPLES));
  const picked: Array<{ topic: string; status: string }> = [];
  for (let i = 0; picked.length < LATENCY_SAMPLES && candidates.length > 0; i += step) {
    const guest = candidates[i % candidates.length]!;
    picked.push({ topic: guest.topic, status: guest.status! });
  }
  // small clusters have fewer guests than samples: a guest is used again after its last sample flipped it
  const current = new Map<string, string>();
  const latencies: number[] = [];
  for (let i = 0; i < picked.length; i += LATENCY_BATCH) {
    const batch = [...new Map(picked.slice(i, i + LATENCY_BATCH).map((guest) => [guest.topic, guest])).values()];
    const sentAt = Date.now();
    const jobs = batch.map(async (guest) => {
      const was = current.get(guest.topic) ?? guest.status;
      const action = was === "running" ? "stop" : "start";
      const expected = action === "stop" ? "stopped" : "running";
      await observer.publish(`${guest.topic}/set`, action);
      const stateAt = await waitForStatus(observer, guest.topic, expected, sentAt);
      current.set(guest.topic, expected);
      return { guest, action, stateAt };
    });
    const done = await Promise.all(jobs);
    const posts = await sim.requests("POST");
    for (const sample of done) {
      const [, kind, vmid] = sample.guest.topic.split("/");
      const post = posts.filter((request) => request.path.endsWith(`/${kind}/${vmid}/status/${sample.action}`) && request.at >= sentAt - 50).at(-1);
      if (!post || post.status >= 400) throw new Error(`no accepted POST …/${kind}/${vmid}/status/${sample.action} in the simulator's log`);
      latencies.push(sample.stateAt - (post.at + TASK_MS));
    }
    // keep under the bridge's 3 task starts per second
    const elapsed = Date.now() - sentAt;
    if (elapsed < 1100) await new Promise((resolve) => setTimeout(resolve, 1100 - elapsed));
  }
  return latencies.slice(0, LATENCY_SAMPLES);
}

async function waitForStatus(observer: ObserverProcess, topic: string, status: string, since: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await observer.history(topic)).find((entry) => entry.at >= since && entry.status === status);
    if (found) return found.at;
    if (Date.now() > deadline) throw new Error(`${topic} did not turn ${status} on MQTT within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh bridge polls every LOGIN_STEP_MS of simulated time for LOGIN_HOURS; both clocks move together. */
async function loginsOverTwoHours(sim: SimProcess, config: string): Promise<{ logins: number; failed: number }> {
  await sim.clock(offsetMs);
  await sim.clearRequests();
  const before = await sim.stats();
  const bridge = await BridgeProcess.start(config, offsetMs);
  try {
    const steps = (LOGIN_HOURS * 3_600_000) / LOGIN_STEP_MS;
    for (let i = 0; i < steps; i++) {
      offsetMs += LOGIN_STEP_MS;
      await sim.clock(offsetMs);
      await bridge.clock(offsetMs);
      await bridge.poll();
    }
  } finally {
    await bridge.stop();
  }
  const after = await sim.stats();
  return { logins: after.logins - before.logins + after.renewals - before.renewals, failed: after.failed };
}

main().then(
  (rows) => {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`[bench ${label}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
