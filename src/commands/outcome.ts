import { PveHttpError, PveUnreachableError, PveWriteOutcomeUnknownError } from "../pve/errors.js";
import { parseUpid } from "../pve/tasks.js";
import type { PveApi } from "../pve/types.js";

/** PVE's answer when a guest is not on the node the request named (it has migrated). */
export function isNotOnThisNode(error: unknown): boolean {
  return error instanceof PveHttpError && error.status === 500 && /does not exist|not exist|no such VM/i.test(error.message);
}

/** The text of an error result for a command that failed before or while reaching PVE. */
export function describeFailure(error: unknown): string {
  if (error instanceof PveWriteOutcomeUnknownError) return `outcome unknown, not re-sent: ${error.message}`;
  if (error instanceof PveUnreachableError) return `PVE unreachable: ${error.message}`;
  if (error instanceof PveHttpError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** Seconds with one decimal. */
export function secondsSince(startMs: number, endMs: number): number {
  return Math.round(Math.max(0, endMs - startMs) / 100) / 10;
}

/** Whether a command that failed to start was seen by PVE (it answered, or the write may have arrived). */
export function reachedPve(error: unknown): boolean {
  return error instanceof PveHttpError || error instanceof PveWriteOutcomeUnknownError;
}

/**
 * The last `ERROR:` line of a failed task's log (without "ERROR: "), the reason an automation can
 * forward ("Backup of VM 101 failed - storage 'nas' is not online"); null when it has none or the
 * log cannot be read.
 */
export async function lastLogError(api: PveApi, upid: string): Promise<string | null> {
  try {
    const { lines } = await api.taskLog(parseUpid(upid).node, upid, 0);
    const errors = lines.filter((line) => line.t.startsWith("ERROR:"));
    return errors.length === 0 ? null : errors[errors.length - 1]!.t.slice("ERROR:".length).trim();
  } catch {
    return null;
  }
}
