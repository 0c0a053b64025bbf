import { PveHttpError, PveUnreachableError, PveWriteOutcomeUnknownError } from "../pve/errors.js";

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
