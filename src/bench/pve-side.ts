import { moveAndPoll } from "./cycles.js";
import { atMost, info, round, type ResultRow } from "./report.js";
import { coreRequests, detailRequests, type Rig } from "./rig.js";

/**
 * 60 cycles: a multiple of every cadence the defaults give at a 30 s interval (HA every 10 polls,
 * disks and ZFS every 20, IPs and updates every 60), so each is counted exactly as often as on average.
 */
export const PVE_SIDE_CYCLES = 60;

export interface PveSide {
  rows: ResultRow[];
  summary: string;
  /** The bridge's CPU per poll with its handshakes (ms): the busy phase's figure is shown beside it. */
  bridgeMs: number;
}

/**
 * What PVE pays per poll in a steady cluster (counters move; no task, no guest starting), each
 * poll starting with no connection open as at the default 30 s interval: core, detail and all
 * requests, new TLS connections (each a handshake on the node) and the simulator's CPU, beside
 * the bridge's CPU with those handshakes.
 */
export async function measurePveSide(rig: Rig, label: string, nodes: number, guests: number): Promise<PveSide> {
  let coreMax = 0;
  let details = 0;
  let all = 0;
  let tls = 0;
  let tlsMax = 0;
  let simMicros = 0;
  let bridgeMicros = 0;
  for (let i = 0; i < PVE_SIDE_CYCLES; i++) {
    const cycle = await moveAndPoll(rig, { idleClosed: true });
    coreMax = Math.max(coreMax, coreRequests(cycle.stats));
    details += detailRequests(cycle.stats);
    all += cycle.stats.requests;
    tls += cycle.tlsConnections;
    tlsMax = Math.max(tlsMax, cycle.tlsConnections);
    simMicros += cycle.simMicros;
    bridgeMicros += cycle.bridgeMicros;
  }
  const per = (sum: number) => sum / PVE_SIDE_CYCLES;
  const detailBudget = Math.ceil(guests / 50) + Math.ceil(nodes / 10);
  const tlsLimit = nodes <= 3 && guests <= 30 ? 2 : 4;
  const rows = [
    atMost(label, "PVE requests per poll, core", coreMax, 3 + nodes, `≤ 3 + N = ${3 + nodes}`),
    atMost(label, "PVE detail requests per poll, steady", per(details), detailBudget, `≤ ⌈G/50⌉ + ⌈N/10⌉ = ${detailBudget}`),
    atMost(label, "PVE requests per poll, steady, all", per(all), 3 + nodes + detailBudget, `≤ 3 + N + ${detailBudget} = ${3 + nodes + detailBudget}`),
    atMost(label, "new TLS connections per poll", per(tls), tlsLimit),
    info(label, "simulator CPU per poll (ms)", per(simMicros) / 1000),
    info(label, "bridge CPU per poll, new connections (ms)", per(bridgeMicros) / 1000),
  ];
  const summary =
    `core ≤ ${coreMax}, details ${round(per(details))}, all ${round(per(all))} per poll; ` +
    `TLS ${round(per(tls))} per poll (max ${tlsMax}); simulator ${round(per(simMicros) / 1000)} ms, bridge ${round(per(bridgeMicros) / 1000)} ms per poll`;
  return { rows, summary, bridgeMs: per(bridgeMicros) / 1000 };
}
