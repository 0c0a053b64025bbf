/** Helpers shared by the state payload builders. */

/** One decimal, as every percentage in the state JSON. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** used/total as a percentage 0–100 with one decimal; null when either is unknown or total is 0. */
export function percent(used: number | null, total: number | null): number | null {
  if (used === null || total === null || total <= 0) return null;
  return round1((used / total) * 100);
}

let lastSecond = Number.NaN;
let lastText = "";

/**
 * ISO-8601 UTC without milliseconds: "2024-07-26T11:15:00Z". Every device of a cycle shares the
 * same `last_seen`, so the last conversion is remembered.
 */
export function isoTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  }
  return lastText;
}

/** A boot time moves by the poll's jitter between reboots; keep it unless it moved further than this. */
const BOOT_TIME_TOLERANCE_MS = 60_000;

/** Boot times already parsed: each device's stays the same string for as long as it runs. */
const parsedTimes = new Map<string, number>();
/** Far above any cluster's device count; reached only over a very long run of reboots, then it starts over. */
const MAX_PARSED_TIMES = 20_000;

function parseTime(text: string): number {
  let ms = parsedTimes.get(text);
  if (ms === undefined) {
    if (parsedTimes.size >= MAX_PARSED_TIMES) parsedTimes.clear();
    ms = Date.parse(text);
    parsedTimes.set(text, ms);
  }
  return ms;
}

/** now − uptime, kept equal to the previous value while the device has not rebooted. */
export function stableBootTime(uptimeSeconds: number | null, now: number, previous: string | null | undefined): string | null {
  if (uptimeSeconds === null || uptimeSeconds <= 0) return null;
  const bootMs = now - uptimeSeconds * 1000;
  if (previous) {
    const previousMs = parseTime(previous);
    if (!Number.isNaN(previousMs) && Math.abs(bootMs - previousMs) <= BOOT_TIME_TOLERANCE_MS) return previous;
  }
  return isoTime(bootMs);
}
