import type { DeviceRef } from "../commands/types.js";
import { QEMU_ONLY_PARAMS } from "../commands/params.js";
import type { GuestInfo } from "../inventory/types.js";
import type { Logger } from "../log.js";
import type { CommandResult } from "../state/types.js";
import { actionParams, type ScheduleConfig } from "./config.js";
import { scheduledSnapshotDescription, scheduledSnapshotName, snapshotsBeyond } from "./names.js";
import { runResult, type LastRun } from "./state.js";
import { skipReason } from "./targets.js";

/** What one run needs: the command path (as MQTT uses it) and a read of a guest's snapshots. */
export interface RunDeps {
  log: Logger;
  now: () => number;
  /** Runs a command as if it came on the guest's `/set`; resolves with its final result. */
  execute(device: DeviceRef, request: Record<string, unknown>): Promise<CommandResult>;
  /** The names of a guest's snapshots now (one read), for retention. */
  snapshots(guest: GuestInfo): Promise<string[]>;
  /** Serialises deletion tasks: one at a time across the bridge. */
  oneDeletionAtATime<T>(work: () => Promise<T>): Promise<T>;
}

type GuestOutcome = { kind: "ok" } | { kind: "failed"; error: string } | { kind: "skipped"; reason: string };

/** The `id` every result of a schedule's run carries. */
export function scheduleRequestId(schedule: ScheduleConfig): string {
  return `schedule:${schedule.name}`;
}

/**
 * One run of a schedule over the guests resolved for it: every guest's action goes through the
 * command path at once (the runner's 3-tasks-a-second limit paces them); after a successful
 * snapshot, retention. Resolves when every task it started has ended.
 */
export async function runSchedule(schedule: ScheduleConfig, guests: readonly GuestInfo[], startedAt: Date, deps: RunDeps): Promise<LastRun> {
  const outcomes = await Promise.all(guests.map((guest) => runGuest(schedule, guest, startedAt, deps)));
  let ok = 0;
  let failed = 0;
  let firstError: string | null = null;
  outcomes.forEach((outcome, index) => {
    const label = `${guests[index]!.kind}/${guests[index]!.vmid}`;
    if (outcome.kind === "ok") ok++;
    if (outcome.kind === "failed") {
      failed++;
      firstError ??= `${label}: ${outcome.error}`;
    }
    if (outcome.kind === "skipped") deps.log.info({ schedule: schedule.name, guest: label }, `schedule ${schedule.name}: ${label} skipped for ${schedule.action}: ${outcome.reason}`);
  });
  return { at: startedAt.toISOString(), result: runResult(ok, failed), guestsOk: ok, guestsFailed: failed, error: firstError };
}

async function runGuest(schedule: ScheduleConfig, guest: GuestInfo, startedAt: Date, deps: RunDeps): Promise<GuestOutcome> {
  const skip = skipReason(schedule.action, guest);
  if (skip) return { kind: "skipped", reason: skip };
  const device: DeviceRef = { kind: guest.kind, vmid: guest.vmid };
  const request: Record<string, unknown> = { action: schedule.action, id: scheduleRequestId(schedule), ...paramsFor(schedule, guest) };
  if (schedule.action === "snapshot") {
    request.name = scheduledSnapshotName(schedule.name, startedAt);
    request.description = scheduledSnapshotDescription(schedule.name);
  }
  const result = await deps.execute(device, request);
  if (result.status !== "ok") return { kind: "failed", error: result.error ?? result.exitstatus ?? "failed" };
  if (schedule.action !== "snapshot" || schedule.keep === undefined) return { kind: "ok" };
  return retain(schedule, schedule.keep, guest, device, deps);
}

/** The schedule's parameters for this guest: qemu-only ones are left out for a container. */
function paramsFor(schedule: ScheduleConfig, guest: GuestInfo): Record<string, unknown> {
  const params = actionParams(schedule);
  if (guest.kind === "lxc") for (const key of QEMU_ONLY_PARAMS[schedule.action] ?? []) delete params[key];
  return params;
}

/** Deletes this schedule's snapshots of the guest beyond `keep`, oldest first, one task at a time. */
async function retain(schedule: ScheduleConfig, keep: number, guest: GuestInfo, device: DeviceRef, deps: RunDeps): Promise<GuestOutcome> {
  let names: string[];
  try {
    names = await deps.snapshots(guest);
  } catch (error) {
    return { kind: "failed", error: `retention: cannot list the snapshots (${error instanceof Error ? error.message : String(error)})` };
  }
  for (const name of snapshotsBeyond(schedule.name, names, keep)) {
    const result = await deps.oneDeletionAtATime(() => deps.execute(device, { action: "snapshot_delete", id: scheduleRequestId(schedule), name }));
    // A failed deletion stops this guest's retention: the next would most likely fail alike (a lock).
    if (result.status !== "ok") return { kind: "failed", error: `retention: deleting ${name} failed: ${result.error ?? result.exitstatus ?? "failed"}` };
  }
  return { kind: "ok" };
}
