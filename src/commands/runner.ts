import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import { followTask, parseUpid } from "../pve/tasks.js";
import type { PveApi } from "../pve/types.js";
import type { CommandResult } from "../state/types.js";
import { HA_EXPECTED_STATUS, HA_TASK_TYPES, refreshUntil } from "./ha-follow-up.js";
import { describeFailure, isNotOnThisNode, lastLogError, reachedPve, secondsSince } from "./outcome.js";
import { parseCommand } from "./parse.js";
import { checkSnapshotExists } from "./snapshot-check.js";
import { StartLimiter } from "./start-limiter.js";
import { startGuestCommand, startNodeCommand, VzdumpNotOnNodeError, type Started } from "./start-task.js";
import { deviceLabel, POWER_ACTIONS, type Command, type DeviceRef, type GuestCommand, type PowerAction } from "./types.js";

export type { DeviceRef } from "./types.js";

type Detail = "ips" | "snapshots" | "backups";

export interface CommandDeps {
  api: PveApi;
  config: Config;
  log: Logger;
  /** Epoch milliseconds; durations are measured with it. */
  now?: () => number;
  /** Where the device is now (current node from the latest inventory); null if it does not exist. */
  locate(device: DeviceRef): { node: string } | null;
  /** Re-read /cluster/resources now (a full poll) and return the guest's node, or null if gone. */
  relocate(device: DeviceRef): Promise<{ node: string } | null>;
  /** Storage ids with backup content PVE reports on a node (for parse). */
  backupStorages(node: string): string[];
  /** Refresh a device's state now and publish it. Resolves to the guest's derived status after the refresh, or null. */
  refresh(device: DeviceRef, options?: { details?: Detail[]; full?: boolean }): Promise<string | null>;
  /** Publish a result on <device topic>/result (not retained) and keep it as the device's last_action. */
  /** `reachedPve`: the command reached PVE (a guest's `last_action` shows only those, CONTRACT 4). */
  publishResult(device: DeviceRef, result: CommandResult, options: { reachedPve: boolean }): void;
}

const TASKS_PER_SECOND = 3;
const DETAILS_AFTER: Partial<Record<Command["action"], Detail[]>> = { snapshot: ["snapshots"], snapshot_delete: ["snapshots"], rollback: ["snapshots"], backup: ["backups"] };

interface Running {
  device: DeviceRef;
  command: Command;
  id: string | number | null;
  arrivedAt: number;
}

/** Runs `/set` commands: parse, send to PVE, follow the task, publish results, refresh the device. */
export class CommandRunner {
  private readonly now: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  /** Guest label → the power action still running on it, with its UPID once PVE accepted it. */
  private readonly powerActions = new Map<string, { action: PowerAction; upid: string | null }>();
  private readonly stopping = new AbortController();
  private readonly limiter = new StartLimiter(TASKS_PER_SECOND, () => performance.now());

  constructor(private readonly deps: CommandDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Handles one /set message. Never throws, never blocks: work continues in the background. */
  handle(device: DeviceRef, payload: Buffer, options: { retained: boolean }): void {
    if (this.stopping.signal.aborted) return;
    const label = deviceLabel(device);
    if (options.retained) {
      this.deps.log.info({ device: label }, `ignored a retained message on ${label}/set: a command is never replayed from the broker; publish commands without the retain flag`);
      return;
    }
    const arrivedAt = this.now();
    const work = this.run(device, payload, arrivedAt).then(
      () => undefined,
      (error: unknown) => {
        if (this.stopping.signal.aborted) return;
        this.deps.log.error({ device: label, err: error }, `command on ${label} failed unexpectedly`);
      },
    );
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * Runs one command as if it had arrived on `<device>/set` (validation, allow list, limits,
   * results on the device's `/result` topic) and resolves with its final result once its task
   * has ended: the schedules' way in. Never rejects.
   */
  async execute(device: DeviceRef, request: Record<string, unknown>): Promise<CommandResult> {
    const fallback: CommandResult = { id: readableId(request.id), action: typeof request.action === "string" ? request.action : null, status: "error", error: "the bridge is stopping" };
    if (this.stopping.signal.aborted) return fallback;
    const work = this.run(device, Buffer.from(JSON.stringify(request)), this.now());
    const tracked = work.then(() => undefined, () => undefined);
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    try {
      return (await work) ?? fallback;
    } catch (error) {
      if (!this.stopping.signal.aborted) this.deps.log.error({ device: deviceLabel(device), err: error }, `command on ${deviceLabel(device)} failed unexpectedly`);
      return { ...fallback, error: describeFailure(error) };
    }
  }

  /** Resolves when every in-flight command has settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops following tasks (they keep running on PVE) and clears timers; later messages are ignored. */
  stop(): void {
    this.stopping.abort();
  }

  /** Publishes a result; returns it as published (null once stopping: nothing is published then). */
  private publish(device: DeviceRef, result: CommandResult, reachedPve: boolean): CommandResult | null {
    if (this.stopping.signal.aborted) return null;
    const stamped = { ...result, time: new Date(this.now()).toISOString() };
    this.deps.publishResult(device, stamped, { reachedPve });
    return stamped;
  }

  /** Runs one command; resolves with its final result (null when stopped before it had one). */
  private async run(device: DeviceRef, payload: Buffer, arrivedAt: number): Promise<CommandResult | null> {
    const location = device.kind === "bridge" ? { node: "" } : this.deps.locate(device);
    const parsed = parseCommand(device, payload, this.deps.config, {
      backupStorages: (node) => this.deps.backupStorages(node),
      now: () => new Date(this.now()),
      node: location?.node ?? null,
    });
    if (!parsed.ok) {
      this.deps.log.info({ device: deviceLabel(device), action: parsed.action }, `refused command on ${deviceLabel(device)}: ${parsed.error}`);
      return this.publish(device, { id: parsed.id, action: parsed.action, status: "error", error: parsed.error }, false);
    }
    const running: Running = { device, command: parsed.command, id: parsed.id, arrivedAt };
    if (!location) {
      return this.fail(running, `${deviceLabel(device)} does not exist in PVE (it is not in the latest inventory); check the id`);
    }
    const command = parsed.command;
    if (command.target === "refresh") return this.runRefresh(running);
    if (command.target === "guest" && isPowerAction(command.action)) return this.runPowerAction(running, command, location.node);
    return this.runTask(running, location.node);
  }

  /** An error result; `reachedPve` when PVE saw the command (it refused it, or its task failed). */
  private fail(running: Running, error: string, extra: Partial<CommandResult> = {}, reachedPve = false): CommandResult | null {
    return this.publish(running.device, { id: running.id, action: running.command.action, status: "error", error, ...extra }, reachedPve);
  }

  private async runRefresh(running: Running): Promise<CommandResult | null> {
    const { device } = running;
    const options = device.kind === "qemu" || device.kind === "lxc" ? { details: ["ips", "snapshots", "backups"] as Detail[] } : { full: true };
    try {
      await this.deps.refresh(device, options);
      // a refresh changes nothing: it does not replace the last action
      return this.publish(device, { id: running.id, action: "refresh", status: "ok", duration: secondsSince(running.arrivedAt, this.now()) }, false);
    } catch (error) {
      return this.fail(running, `refresh failed: ${describeFailure(error)}`);
    }
  }

  /** One power action per guest at a time; the second one is refused without a request. */
  private async runPowerAction(running: Running, command: GuestCommand, node: string): Promise<CommandResult | null> {
    const label = deviceLabel(running.device);
    const busy = this.powerActions.get(label);
    if (busy) {
      const task = busy.upid ?? "not yet accepted by PVE";
      return this.fail(running, `a power action (${busy.action}) is still running on ${label} (${task}); wait for its result`);
    }
    const entry = { action: command.action as PowerAction, upid: null as string | null };
    this.powerActions.set(label, entry);
    try {
      return await this.runTask(running, node, (upid) => (entry.upid = upid));
    } finally {
      this.powerActions.delete(label);
    }
  }

  private async runTask(running: Running, node: string, onAccepted?: (upid: string) => void): Promise<CommandResult | null> {
    const { device, command } = running;
    const label = deviceLabel(device);
    if (command.target === "guest" && (command.action === "snapshot_delete" || command.action === "rollback")) {
      const checked = await checkSnapshotExists(this.deps.api, command.guest, command.params.snapname, node, () => this.deps.relocate(device));
      if (this.stopping.signal.aborted) return null;
      if (!checked.ok) {
        this.deps.log.info({ device: label, action: command.action }, `refused ${command.action} on ${label}: ${checked.error}`);
        return this.fail(running, checked.error);
      }
      node = checked.node;
    }
    let started: Started;
    try {
      started = await this.start(running, node);
    } catch (error) {
      if (this.stopping.signal.aborted) return null;
      this.deps.log.warn({ device: label, action: command.action }, `PVE refused ${command.action} on ${label}: ${describeFailure(error)}`);
      return this.fail(running, describeFailure(error), {}, reachedPve(error));
    }
    const details = DETAILS_AFTER[command.action];
    if (started.upid === null) {
      this.deps.log.info({ device: label, action: command.action }, `${command.action} accepted by PVE on ${label}`);
      const accepted = this.publish(device, { id: running.id, action: command.action, status: "ok", upid: null, duration: secondsSince(running.arrivedAt, this.now()) }, true);
      this.refreshQuietly(device);
      return accepted;
    }
    const upid = started.upid;
    onAccepted?.(upid);
    this.deps.log.info({ device: label, action: command.action, upid }, `${command.action} started on ${label}`);
    this.publish(device, { id: running.id, action: command.action, status: "started", upid }, true);
    this.refreshQuietly(device);

    let exitstatus: string;
    let ok: boolean;
    try {
      const outcome = await followTask(this.deps.api, upid, {
        signal: this.stopping.signal,
        onTransientError: (error) => this.deps.log.debug({ upid, err: describeFailure(error) }, "task status not readable for now; still following"),
      });
      exitstatus = outcome.exitstatus;
      ok = outcome.ok;
    } catch (error) {
      if (this.stopping.signal.aborted) return null;
      return this.fail(running, `lost track of the task: ${describeFailure(error)}`, { upid, duration: secondsSince(running.arrivedAt, this.now()) }, true);
    }
    const duration = secondsSince(running.arrivedAt, this.now());
    this.deps.log.info({ device: label, action: command.action, upid, exitstatus }, `${command.action} on ${label} ended: ${exitstatus}`);
    const error = ok ? null : ((await lastLogError(this.deps.api, upid)) ?? exitstatus);
    const final = this.publish(device, { id: running.id, action: command.action, status: ok ? "ok" : "error", upid, exitstatus, error, duration }, true);
    await this.refreshAfterTask(device, command, upid, details);
    return final;
  }

  /** Waits for a start slot, sends the command; retries once at the right node when the guest has moved. */
  private async start(running: Running, node: string): Promise<Started> {
    const { command, device } = running;
    const signal = this.stopping.signal;
    await this.limiter.take(signal);
    if (command.target === "node") return startNodeCommand(this.deps.api, command);
    if (command.target !== "guest") throw new Error(`${command.action} starts no task`);
    try {
      return await startGuestCommand(this.deps.api, command, node);
    } catch (error) {
      if (!isNotOnThisNode(error) && !(error instanceof VzdumpNotOnNodeError)) throw error;
      const moved = await this.deps.relocate(device);
      if (!moved) throw new Error(`${deviceLabel(device)} no longer exists in PVE`);
      if (moved.node === node) throw error;
      this.deps.log.info({ device: deviceLabel(device), from: node, to: moved.node }, `${deviceLabel(device)} moved from ${node} to ${moved.node}; sending ${command.action} there`);
      await this.limiter.take(signal);
      return startGuestCommand(this.deps.api, command, moved.node);
    }
  }

  private async refreshAfterTask(device: DeviceRef, command: Command, upid: string, details: Detail[] | undefined): Promise<void> {
    const refresh = () => this.refreshSafely(device, details ? { details } : undefined);
    const expected = command.target === "guest" ? HA_EXPECTED_STATUS[command.action as PowerAction] : undefined;
    const taskType = safeTaskType(upid);
    if (!expected || !taskType || !HA_TASK_TYPES.has(taskType)) {
      await refresh();
      return;
    }
    try {
      const matched = await refreshUntil(refresh, expected, this.stopping.signal);
      if (!matched) this.deps.log.warn({ device: deviceLabel(device), upid }, `${deviceLabel(device)} did not reach ${expected} within 30 s of its HA task; the next polls will show its state`);
    } catch {
      // stop() aborted the follow-up
    }
  }

  private refreshQuietly(device: DeviceRef): void {
    const work = this.refreshSafely(device).then(() => undefined);
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async refreshSafely(device: DeviceRef, options?: { details?: Detail[] }): Promise<string | null> {
    if (this.stopping.signal.aborted) return null;
    try {
      return await this.deps.refresh(device, options);
    } catch (error) {
      this.deps.log.warn({ device: deviceLabel(device), err: describeFailure(error) }, `refresh of ${deviceLabel(device)} after a command failed`);
      return null;
    }
  }
}

function readableId(value: unknown): string | number | null {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : null;
}

function isPowerAction(action: string): action is PowerAction {
  return (POWER_ACTIONS as readonly string[]).includes(action);
}

function safeTaskType(upid: string): string | null {
  try {
    return parseUpid(upid).type;
  } catch {
    return null;
  }
}
