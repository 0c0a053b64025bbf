import type { BridgeProcess } from "./bridge-process.js";
import type { ObserverProcess } from "./observer.js";
import type { SimProcess, SimStats } from "./sim-process.js";

/** Simulated time between two cycles: the default poll interval. */
export const CYCLE_MS = 30_000;
/** How long the subscriber must have received nothing before the bridge polls and before the floor replays. */
export const SETTLE_MS = 20;

/** What one size of the benchmark runs against, and how far both clocks were moved. */
export interface Rig {
  sim: SimProcess;
  observer: ObserverProcess;
  bridge: BridgeProcess;
  /** The bridge's clock is this far ahead of real time (ms); the simulator's ticket clock follows in the login phase. */
  clock: { offsetMs: number };
}

/** The core poll: /cluster/resources, /cluster/status, /cluster/tasks, a node status per node (and /version now and then). */
const CORE_PATH = /^GET \/(cluster\/resources|cluster\/status|cluster\/tasks|version|nodes\/[^/]+\/status)$/;

/** The core requests among the counted ones (a poll's, from the simulator's stats). */
export function coreRequests(stats: SimStats): number {
  return Object.entries(stats.byPath).reduce((sum, [path, count]) => (CORE_PATH.test(path) ? sum + count : sum), 0);
}

/** GET requests that are not the core poll: guest details, disks, ZFS, updates, HA, vzdump logs. */
export function detailRequests(stats: SimStats): number {
  return Object.entries(stats.byPath).reduce((sum, [path, count]) => (path.startsWith("GET ") && !CORE_PATH.test(path) ? sum + count : sum), 0);
}

/** A vzdump task's log (`/nodes/{n}/tasks/{upid}/log`): read only while the task runs, and once to the end. */
const TASK_LOG_PATH = /^GET \/nodes\/[^/]+\/tasks\/[^/]+\/log$/;

/** Task log reads among the counted ones. */
export function logReads(stats: SimStats): number {
  return Object.entries(stats.byPath).reduce((sum, [path, count]) => (TASK_LOG_PATH.test(path) ? sum + count : sum), 0);
}

/** The cluster moves by one poll interval: counters and uptime in the simulator, and the bridge's clock. */
export async function nextInterval(rig: Rig): Promise<void> {
  await rig.sim.advance(CYCLE_MS);
  rig.clock.offsetMs += CYCLE_MS;
  await rig.bridge.clock(rig.clock.offsetMs);
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
