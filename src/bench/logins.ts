import { BridgeProcess } from "./bridge-process.js";
import type { SimProcess } from "./sim-process.js";

export const LOGIN_HOURS = 2;
const LOGIN_STEP_MS = 5 * 60_000;
const UPDATES_PATH = /^\/nodes\/[^/]+\/apt\/update$/;

/**
 * A fresh bridge polls every LOGIN_STEP_MS of simulated time for LOGIN_HOURS; both clocks move
 * together (from `clock.offsetMs`, which it advances). Counts logins and renewals, and the failed
 * requests by status, method and path. The simulator's account lacks Sys.Modify on its third node,
 * as PVEAuditor does: the 403 of that node's apt/update (every `details.updates`) is PVE's answer
 * as configured, counted apart (`forbidden`), not as a failure.
 */
export async function loginsOverTwoHours(
  sim: SimProcess,
  config: string,
  clock: { offsetMs: number },
): Promise<{ logins: number; failed: number; forbidden: number; failedPaths: string[] }> {
  await sim.clock(clock.offsetMs);
  await sim.clearRequests();
  const before = await sim.stats();
  const bridge = await BridgeProcess.start(config, clock.offsetMs);
  try {
    const steps = (LOGIN_HOURS * 3_600_000) / LOGIN_STEP_MS;
    for (let i = 0; i < steps; i++) {
      clock.offsetMs += LOGIN_STEP_MS;
      await sim.clock(clock.offsetMs);
      await bridge.clock(clock.offsetMs);
      await bridge.poll();
    }
  } finally {
    await bridge.stop();
  }
  const after = await sim.stats();
  const failures = (await sim.requests()).filter((request) => request.status >= 400);
  const isForbiddenUpdates = (request: { status: number; path: string }) => request.status === 403 && UPDATES_PATH.test(request.path);
  const failedPaths = [...new Set(failures.map((request) => `${request.status} ${request.method} ${request.path}`))];
  const forbidden = failures.filter(isForbiddenUpdates).length;
  return { logins: after.logins - before.logins + after.renewals - before.renewals, failed: failures.length - forbidden, forbidden, failedPaths };
}
