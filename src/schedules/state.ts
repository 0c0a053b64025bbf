import type { ScheduleConfig } from "./config.js";

export type RunResult = "ok" | "partial" | "error";

/** What the last run of a schedule did; survives restarts through the retained state. */
export interface LastRun {
  /** ISO time the run began. */
  at: string;
  result: RunResult;
  guestsOk: number;
  guestsFailed: number;
  error: string | null;
}

/** `B/schedule/<name>` (retained), CONTRACT section 11. Every field always present. */
export interface ScheduleState {
  name: string;
  cron: string;
  action: string;
  enabled: boolean;
  next_run: string | null;
  last_run: string | null;
  last_result: RunResult | null;
  guests_ok: number | null;
  guests_failed: number | null;
  last_error: string | null;
}

export function scheduleState(schedule: ScheduleConfig, enabled: boolean, nextRun: Date | null, last: LastRun | null): ScheduleState {
  return {
    name: schedule.name,
    cron: schedule.cron,
    action: schedule.action,
    enabled,
    next_run: enabled && nextRun ? nextRun.toISOString() : null,
    last_run: last?.at ?? null,
    last_result: last?.result ?? null,
    guests_ok: last?.guestsOk ?? null,
    guests_failed: last?.guestsFailed ?? null,
    last_error: last?.error ?? null,
  };
}

/** The result of a run from its guests: none failed → ok, none succeeded (but some failed) → error. */
export function runResult(ok: number, failed: number): RunResult {
  if (failed === 0) return "ok";
  return ok === 0 ? "error" : "partial";
}

/** What a retained state from an earlier run says: `enabled` and the last run, each only when readable. */
export function readRetainedState(payload: Buffer): { enabled: boolean | null; last: LastRun | null } {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString("utf8"));
  } catch {
    return { enabled: null, last: null };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { enabled: null, last: null };
  const state = value as Record<string, unknown>;
  const enabled = typeof state.enabled === "boolean" ? state.enabled : null;
  const count = (field: unknown): number => (typeof field === "number" && Number.isInteger(field) && field >= 0 ? field : 0);
  const result = state.last_result;
  const at = typeof state.last_run === "string" && Number.isFinite(Date.parse(state.last_run)) ? state.last_run : null;
  const last: LastRun | null =
    at !== null && (result === "ok" || result === "partial" || result === "error")
      ? { at, result, guestsOk: count(state.guests_ok), guestsFailed: count(state.guests_failed), error: typeof state.last_error === "string" ? state.last_error : null }
      : null;
  return { enabled, last };
}
