/** Helpers shared by the catalog's getters. */

/** One decimal, as every percentage in the state JSON. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** used/total as a percentage 0–100 with one decimal; null when either is unknown or total is 0. */
export function percent(used: number | null, total: number | null): number | null {
  if (used === null || total === null || total <= 0) return null;
  return round1((used / total) * 100);
}

/** A fraction 0..1 as a percentage 0–100 with one decimal. */
export function fractionPercent(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : round1(value * 100);
}

/** Sizes are whole bytes (PVE sometimes sends a fraction). */
export function wholeBytes(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Math.round(value);
}

/** ISO-8601 UTC without milliseconds: "2024-07-26T11:15:00Z". */
export function isoTime(epochMs: number): string {
  return `${new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

export function isoTimeOrNull(epochMs: number | null | undefined): string | null {
  return epochMs === null || epochMs === undefined ? null : isoTime(epochMs);
}

/** A boot time moves by the poll's jitter between reboots; keep it unless it moved further than this. */
const BOOT_TIME_TOLERANCE_MS = 60_000;

/** now − uptime, kept equal to the previous value while the device has not rebooted. */
export function stableBootTime(uptimeSeconds: number | null, now: number, previous: string | null | undefined): string | null {
  if (uptimeSeconds === null || uptimeSeconds <= 0) return null;
  const bootMs = now - uptimeSeconds * 1000;
  if (previous) {
    const previousMs = Date.parse(previous);
    if (!Number.isNaN(previousMs) && Math.abs(bootMs - previousMs) <= BOOT_TIME_TOLERANCE_MS) return previous;
  }
  return isoTime(bootMs);
}
