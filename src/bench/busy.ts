import { USER } from "./config.js";
import { moveAndPoll, type Cycle } from "./cycles.js";
import { FloorClient } from "./floor.js";
import { TASK_MS } from "./latency.js";
import { atMost, exactly, info, round, type ResultRow } from "./report.js";
import { detailRequests, logReads, pause, SETTLE_MS, type Rig } from "./rig.js";
import type { SimGuestBrief } from "./sim-process.js";

/** Guests in the backup job: "several", one of them a VM (its log has progress lines). */
const JOB_GUESTS = 4;
/** The storage the job writes to: the simulator's shared NFS backup storage. */
const JOB_STORAGE = "nas";
/**
 * Polls start at least this far apart (real time): the simulator's tasks run in real time
 * (TASK_MS each, a job JOB_GUESTS × TASK_MS), while the bench drives polls as fast as they go
 * (~0.1 s a poll at 3 nodes). Spaced so, the job spans up to 16 polls (fewer where a poll takes
 * longer than the spacing), its log read while it runs, as at a 30 s interval a nightly job spans many polls.
 */
const POLL_SPACING_MS = TASK_MS / 4;
/**
 * 30 polls a pass: the job (4 s, ≤ 16 polls at the spacing above; fewer where a poll takes longer)
 * runs and ends, the next poll reads its log to the end and re-reads the backup listings; the
 * guests started at the first poll end their start tasks after 1 s (≤ 4 polls) and their IPs and
 * OS are read on the next; the 14 polls left after the job's end give room for slower polls and
 * show that nothing is read again (the log of an ended task, the listings).
 */
export const BUSY_CYCLES = 30;

export interface Busy {
  rows: ResultRow[];
  summary: string;
}

interface Pass {
  cycles: Cycle[];
  /** Log reads in the polls that began with the job running, and in those that began with it ended. */
  logReadsRunning: number;
  pollsRunning: number;
  logReadsEnded: number;
  pollsEnded: number;
  job: { upid: string; vmids: number[] };
  started: SimGuestBrief[];
}

/**
 * The busy phase (issues 17 and 20): a backup job of several guests started as PVE's scheduler
 * does, and guests started from outside the bridge (a `qm start` on the node), both through the
 * simulator's control API. Two passes of BUSY_CYCLES polls, each with its own job and starts:
 * - what PVE pays, each poll on fresh connections as in the steady PVE-side phase: all-in
 *   requests (max and mean against 3 + N + ⌈G/5⌉), details, log reads, TLS, the simulator's CPU and
 *   the bridge's;
 * - the CPU against the floor with connections kept, as in the CPU phase (a handshake would weigh
 *   on both sides alike and flatter the ratio): the ≤ 3× floor target with a backup job running.
 * Each pass fails unless its job ended within it; the first also checks the rest happened: each
 * guest's outcome of the job reached MQTT (the last one's `Finished` line is written as the job
 * ends) and the started guests are running with an IP.
 */
export async function measureBusy(rig: Rig, label: string, nodes: number, guests: number, steadyBridgeMs: number): Promise<Busy> {
  const pveSide = await busyPass(rig, 0, { idleClosed: true });
  const outcomes = await jobOutcomesOnMqtt(rig, pveSide.job.vmids);
  const addressed = await startedWithIps(rig, pveSide.started);

  const floor = await FloorClient.login({ url: rig.sim.info.urls[0]!, user: USER, password: rig.sim.info.users[USER]! });
  let cpu: Pass;
  try {
    cpu = await busyPass(rig, 1, { floor });
  } finally {
    await floor.close();
  }

  const cycles = pveSide.cycles;
  const mean = (pick: (cycle: Cycle) => number) => cycles.reduce((sum, cycle) => sum + pick(cycle), 0) / cycles.length;
  const allMax = Math.max(...cycles.map((cycle) => cycle.stats.requests));
  const allMean = mean((cycle) => cycle.stats.requests);
  const budget = 3 + nodes + Math.ceil(guests / 5);
  const budgetText = `≤ 3 + N + ⌈G/5⌉ = ${budget}`;
  const bridgeMs = mean((cycle) => cycle.bridgeMicros) / 1000;
  const simMs = mean((cycle) => cycle.simMicros) / 1000;
  const cpuBridgeMs = cpu.cycles.reduce((sum, cycle) => sum + cycle.bridgeMicros, 0) / cpu.cycles.length / 1000;
  const cpuFloorMs = cpu.cycles.reduce((sum, cycle) => sum + cycle.floorMicros, 0) / cpu.cycles.length / 1000;
  const logsWhileRunning = pveSide.logReadsRunning / Math.max(1, pveSide.pollsRunning);

  const rows = [
    atMost(label, "PVE requests per poll, busy, all (max)", allMax, budget, budgetText),
    atMost(label, "PVE requests per poll, busy, all (mean)", allMean, budget, budgetText),
    info(label, "PVE detail requests per poll, busy", mean((cycle) => detailRequests(cycle.stats))),
    info(label, "vzdump log reads per poll while the job runs", logsWhileRunning),
    atMost(label, "vzdump log reads once the job had ended", pveSide.logReadsEnded, 1, "≤ 1 (once, to the end)"),
    exactly(label, "backup job's guests with their outcome on MQTT", outcomes, JOB_GUESTS),
    exactly(label, "guests started from outside with their IPs on MQTT", addressed, pveSide.started.length, `= ${pveSide.started.length} started`),
    info(label, "new TLS connections per poll, busy", mean((cycle) => cycle.tlsConnections)),
    info(label, "simulator CPU per poll, busy (ms)", simMs),
    info(label, "bridge CPU per poll, busy, new connections (ms)", bridgeMs),
    atMost(label, "bridge CPU per poll with a backup job running (ms)", cpuBridgeMs, 3 * cpuFloorMs, `≤ 3 × floor (${round(cpuFloorMs)} ms) = ${round(3 * cpuFloorMs)}`),
    atMost(label, "bridge CPU / floor CPU with a backup job running", cpuBridgeMs / cpuFloorMs, 3),
  ];
  const summary =
    `all ≤ ${allMax}, mean ${round(allMean)} per poll (budget ${budget}; poll by poll ${cycles.map((cycle) => cycle.stats.requests).join(" ")}); details ${round(mean((cycle) => detailRequests(cycle.stats)))}; ` +
    `log reads ${pveSide.logReadsRunning} over ${pveSide.pollsRunning} polls of the job running, ${pveSide.logReadsEnded} over ${pveSide.pollsEnded} after its end; ` +
    `${outcomes}/${JOB_GUESTS} outcomes, ${addressed}/${pveSide.started.length} started guests with IPs; TLS ${round(mean((cycle) => cycle.tlsConnections))} per poll; ` +
    `simulator ${round(simMs)} ms, bridge ${round(bridgeMs)} ms per poll (steady ${round(steadyBridgeMs)} ms); ` +
    `with the floor: bridge ${round(cpuBridgeMs)} ms, floor ${round(cpuFloorMs)} ms, ratio ${round(cpuBridgeMs / cpuFloorMs)} ` +
    `(log reads ${cpu.logReadsRunning} over ${cpu.pollsRunning} polls of its job running, ${cpu.logReadsEnded} over ${cpu.pollsEnded} after)`;
  // where a figure over the budget comes from: each such poll's requests by path (else the busiest poll's)
  const over = cycles.flatMap((cycle, index) => (cycle.stats.requests > budget ? [index] : []));
  const shown = over.length > 0 ? over : [cycles.findIndex((cycle) => cycle.stats.requests === allMax)];
  const polls = shown.map((index) => `#${index + 1} (${pathCounts(cycles[index]!)})`).join("; ");
  return { rows, summary: `${summary}; ${over.length > 0 ? "over the budget" : "busiest"}: ${polls}` };
}

/** A poll's requests by path, node names and ids folded (`/nodes/{n}/qemu/{id}/config` 3×), most first. */
function pathCounts(cycle: Cycle): string {
  const folded = new Map<string, number>();
  for (const [path, count] of Object.entries(cycle.stats.byPath)) {
    const shape = path.replace(/\/nodes\/[^/]+/, "/nodes/{n}").replace(/\/(qemu|lxc)\/\d+/, "/$1/{id}").replace(/\/tasks\/[^/]+/, "/tasks/{upid}");
    folded.set(shape, (folded.get(shape) ?? 0) + count);
  }
  return [...folded].sort((a, b) => b[1] - a[1]).map(([shape, count]) => `${shape} ${count}×`).join(", ");
}

/**
 * One pass: the job and the starts go out before the first poll, then BUSY_CYCLES polls spaced
 * POLL_SPACING_MS apart. Whether the job still runs is asked before each poll: a poll that began
 * with it ended may read its log once (to the end), the polls after that never.
 */
async function busyPass(rig: Rig, pass: number, options: { idleClosed?: boolean; floor?: FloorClient }): Promise<Pass> {
  const all = await rig.sim.guests();
  const nodeNames = [...new Set(all.map((guest) => guest.node))].sort();
  const node = nodeNames[pass % nodeNames.length]!;
  const jobVmids = jobGuests(all.filter((guest) => guest.node === node));
  const started = guestsToStart(all, jobVmids);
  const upid = await rig.sim.startBackup({ node, vmids: jobVmids, storage: JOB_STORAGE });
  for (const guest of started) await rig.sim.startGuest(guest.vmid);

  const result: Pass = { cycles: [], logReadsRunning: 0, pollsRunning: 0, logReadsEnded: 0, pollsEnded: 0, job: { upid, vmids: jobVmids }, started };
  let lastStart = 0;
  for (let i = 0; i < BUSY_CYCLES; i++) {
    const wait = lastStart + POLL_SPACING_MS - Date.now();
    if (wait > 0) await pause(wait);
    lastStart = Date.now();
    const ended = (await rig.sim.task(upid)).ended;
    const polled = await moveAndPoll(rig, { idleClosed: options.idleClosed ?? false });
    const cycle = options.floor ? { ...polled, floorMicros: await replayWarm(rig, options.floor) } : polled;
    result.cycles.push(cycle);
    if (ended) {
      result.logReadsEnded += logReads(cycle.stats);
      result.pollsEnded++;
    } else {
      result.logReadsRunning += logReads(cycle.stats);
      result.pollsRunning++;
    }
  }
  if (result.pollsEnded === 0) throw new Error(`the backup job ${upid} did not end within the ${BUSY_CYCLES} busy polls: the phase measured no job end`);
  return result;
}

/**
 * The floor's CPU for the poll just made, its connections open as in the CPU phase: a first replay
 * opens those a burst of this poll needs (the floor opens one per request in flight; handshakes,
 * 2–4 ms each, are not the floor's code and the CPU phase's floor has its connections open long
 * since), the second is measured, against the simulator still in that poll's state.
 */
async function replayWarm(rig: Rig, floor: FloorClient): Promise<number> {
  const requests = await rig.sim.requests("GET");
  await floor.replay(requests);
  await rig.observer.quiet(SETTLE_MS);
  return floor.replay(requests);
}

/** JOB_GUESTS non-template guests of the node in vmid order, the first VM among them. */
function jobGuests(onNode: SimGuestBrief[]): number[] {
  const candidates = onNode.filter((guest) => !guest.template);
  const vm = candidates.find((guest) => guest.kind === "qemu");
  const picked = [...(vm ? [vm] : []), ...candidates.filter((guest) => guest !== vm)].slice(0, JOB_GUESTS);
  if (picked.length < JOB_GUESTS) throw new Error(`node ${onNode[0]?.node ?? "?"} has ${picked.length} guests for a ${JOB_GUESTS}-guest backup job`);
  return picked.map((guest) => guest.vmid).sort((a, b) => a - b);
}

/** 1 % of the guests (at least 2), stopped ones whose IPs the bridge can read: VMs with an agent first, then containers. */
function guestsToStart(all: SimGuestBrief[], jobVmids: number[]): SimGuestBrief[] {
  const wanted = Math.max(2, Math.ceil(all.length / 100));
  const stopped = all.filter((guest) => guest.status === "stopped" && !guest.template && !jobVmids.includes(guest.vmid));
  return [...stopped.filter((guest) => guest.kind === "qemu" && guest.agent), ...stopped.filter((guest) => guest.kind === "lxc")].slice(0, wanted);
}

/** The job's guests whose state on MQTT says their backup ended ok and none runs. */
async function jobOutcomesOnMqtt(rig: Rig, vmids: number[]): Promise<number> {
  const all = await rig.sim.guests();
  let count = 0;
  for (const vmid of vmids) {
    const state = await guestState(rig, all.find((guest) => guest.vmid === vmid)!);
    if (state?.last_backup_status === "ok" && state.backup_running === false) count++;
  }
  return count;
}

/** The started guests whose state on MQTT says running, with an IP. */
async function startedWithIps(rig: Rig, started: SimGuestBrief[]): Promise<number> {
  let count = 0;
  for (const guest of started) {
    const state = await guestState(rig, guest);
    if (state?.status === "running" && typeof state.ip === "string") count++;
  }
  return count;
}

async function guestState(rig: Rig, guest: SimGuestBrief): Promise<Record<string, unknown> | null> {
  const { payload } = await rig.observer.last(`pve2mqtt/${guest.kind}/${guest.vmid}`);
  return payload === null ? null : (JSON.parse(payload) as Record<string, unknown>);
}
