import type { GuestStatusValue } from "./types.js";

export interface GuestStatusInput {
  /** `/cluster/resources` status (already the QMP state for qemu) or status/current's running|stopped. */
  status?: string;
  /** status/current only: the QMP run state of a qemu guest. */
  qmpstatus?: string;
  lock?: string;
  nodeOnline: boolean;
}

/*
 * QMP run states → the closed status list (PVE-API-NOTES 2.22). `internal-error` and
 * `guest-panicked` are shown as `io-error`: like an I/O error, the guest is halted by a fault and
 * needs someone to look at it, which `unknown` ("no data") would hide.
 */
const RUN_STATES: Record<string, GuestStatusValue> = {
  running: "running",
  paused: "paused",
  suspended: "suspended",
  prelaunch: "prelaunch",
  "io-error": "io-error",
  "internal-error": "io-error",
  "guest-panicked": "io-error",
  inmigrate: "migrating",
  postmigrate: "migrating",
  "finish-migrate": "migrating",
};

/** The one status derivation, used by the poll (resources rows) and by a guest refresh (status/current). */
export function deriveGuestStatus(input: GuestStatusInput): GuestStatusValue {
  if (!input.nodeOnline) return "unknown";
  const { status, qmpstatus, lock } = input;
  if (status === "stopped" || (status === undefined && qmpstatus === "stopped")) {
    return lock === "suspended" ? "hibernated" : "stopped";
  }
  if (status === undefined || status === "unknown") return "unknown";
  // status/current says only running|stopped; the QMP state tells paused and friends apart.
  const runState = status === "running" && qmpstatus !== undefined ? qmpstatus : status;
  return RUN_STATES[runState] ?? "unknown";
}
