import { onTestFinished } from "vitest";
import { parseHost, type HostSpec } from "../../src/config/schema.js";
import { silentLogger } from "../../src/log.js";
import { PveClient } from "../../src/pve/client.js";
import type { PveClientOptions } from "../../src/pve/options.js";
import { PveSimulator } from "../../src/sim/index.js";

type SimStartOptions = NonNullable<Parameters<typeof PveSimulator.start>[0]>;

export const ROOT = { user: "root@pam", password: "rootpass" };

/** Starts a simulator (fast failing logins) that is stopped when the current test ends. */
export async function startSim(options: SimStartOptions = {}): Promise<PveSimulator> {
  const sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 50, ...options });
  onTestFinished(() => sim.stop());
  return sim;
}

export function hostsOf(sim: PveSimulator): HostSpec[] {
  return sim.urls.map((url) => parseHost(url, 8006)!);
}

/** A client pinned to the simulator's certificate, with small timeouts; closed when the test ends. */
export function clientFor(sim: PveSimulator, overrides: Partial<PveClientOptions> = {}): PveClient {
  const client = new PveClient({
    hosts: hostsOf(sim),
    auth: { kind: "password", ...ROOT },
    verifyTls: true,
    fingerprints: [sim.fingerprint],
    timeoutMs: 1000,
    log: silentLogger(),
    hostRetryBaseMs: 30_000,
    retryBaseMs: 5,
    ...overrides,
  });
  onTestFinished(() => client.close());
  return client;
}

/** The requests the simulator saw for `path` (without /api2/json), optionally of one method. */
export function requestsTo(sim: PveSimulator, path: string | RegExp, method?: string) {
  return sim.requests.filter(
    (request) => (typeof path === "string" ? request.path === path : path.test(request.path)) && (method === undefined || request.method === method),
  );
}
