import { setTimeout as delay } from "node:timers/promises";
import type { PowerAction } from "./types.js";

/** The guest status an HA-routed power action leads to, once the HA manager has done its part. */
export const HA_EXPECTED_STATUS: Partial<Record<PowerAction, string>> = {
  start: "running",
  resume: "running",
  stop: "stopped",
  shutdown: "stopped",
};

export const HA_TASK_TYPES = new Set(["hastart", "hastop"]);

/**
 * `hastart`/`hastop` tasks end before the guest changes (PVE-API-NOTES trap 6): refresh every
 * `intervalMs` until the refreshed status is `expected` or `timeoutMs` pass. Resolves whether
 * the status matched; rejects only when the signal aborts.
 */
export async function refreshUntil(
  refresh: () => Promise<string | null>,
  expected: string,
  signal: AbortSignal,
  options: { intervalMs: number; timeoutMs: number } = { intervalMs: 1000, timeoutMs: 30_000 },
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if ((await refresh()) === expected) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await delay(Math.min(options.intervalMs, left), undefined, { signal });
  }
}
