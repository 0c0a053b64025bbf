import type { FloorClient } from "./floor.js";
import { nextInterval, pause, SETTLE_MS, type Rig } from "./rig.js";
import type { SimStats } from "./sim-process.js";

export interface Cycle {
  /** The bridge process's CPU for the poll (µs). */
  bridgeMicros: number;
  /** The floor's CPU for the same GET requests (µs), 0 without a floor. */
  floorMicros: number;
  /** The simulator's counts for this poll alone (its log is cleared before it). */
  stats: SimStats;
  /** TLS connections the simulator accepted during the poll. */
  tlsConnections: number;
  /** The simulator process's CPU during the poll (µs): what PVE's side paid. */
  simMicros: number;
}

/**
 * One cycle: the cluster moves, the bridge polls it, the floor (when given) replays the bridge's
 * GET requests. Each side starts on a machine settled alike: nothing received by the subscriber
 * for SETTLE_MS (the broker and the subscriber still handle the bridge's messages for a few ms
 * after a poll, and a CPU left idle longer runs the next work cooler, at a higher CPU cost).
 * With `idleClosed`, the simulator first closes idle connections, as PVE's proxy does ~5 s after
 * a connection's last request: at the default 30 s interval every poll starts with none open.
 */
export async function moveAndPoll(rig: Rig, options: { floor?: FloorClient; idleClosed?: boolean } = {}): Promise<Cycle> {
  const { sim, bridge, observer } = rig;
  if (options.idleClosed) {
    await sim.closeIdle();
    // the bridge sees the connections close on its next turn of the event loop
    await pause(SETTLE_MS);
  }
  await nextInterval(rig);
  await sim.clearRequests();
  await observer.quiet(SETTLE_MS);
  const before = await sim.stats();
  const bridgeMicros = await bridge.poll();
  const stats = await sim.stats();
  let floorMicros = 0;
  if (options.floor) {
    const requests = await sim.requests("GET");
    await observer.quiet(SETTLE_MS);
    floorMicros = await options.floor.replay(requests);
  }
  return { bridgeMicros, floorMicros, stats, tlsConnections: stats.tlsConnections - before.tlsConnections, simMicros: stats.cpuMicros - before.cpuMicros };
}
