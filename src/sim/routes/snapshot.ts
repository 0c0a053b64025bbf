import { okStatus, param, requireGuest, taskUser, type SimCall } from "../context.js";
import { boolParam, checkParams, paramError, requireParam, SimHttpError } from "../http-error.js";
import { isRunning, type SimGuest } from "../model.js";
import type { Route } from "../router.js";

const NAME_RE = /^[a-z][a-z0-9_-]+$/i;

/** PVE checks the name (format pve-configid, ≤ 40 chars, reserved words) before any task. */
export function checkSnapshotName(guest: SimGuest, name: string): void {
  if (name.length > 40) throw paramError({ snapname: "value may only be 40 characters long" });
  if (!NAME_RE.test(name)) throw paramError({ snapname: `invalid format - invalid configuration ID '${name}'` });
  const reserved = guest.kind === "qemu" ? ["current", "pending"] : ["current", "vzdump"];
  if (reserved.includes(name.toLowerCase())) throw paramError({ snapname: `invalid format - snapshot name '${name}' is reserved` });
}

function lockedError(guest: SimGuest): SimHttpError {
  return new SimHttpError(500, `${guest.kind === "qemu" ? "VM" : "CT"} is locked (${guest.lock})`);
}

function createSnapshot(call: SimCall): unknown {
  const kind = param(call, "kind");
  checkParams(call.args, kind === "qemu" ? ["snapname", "description", "vmstate"] : ["snapname", "description"]);
  const name = requireParam(call.args, "snapname");
  const guest = requireGuest(call);
  checkSnapshotName(guest, name);
  if (guest.lock !== undefined) throw lockedError(guest);
  const vmstate = (boolParam(call.args, "vmstate") ?? false) && isRunning(guest);
  const { ctx } = call;
  const failure = guest.template
    ? "you can't take a snapshot if it's a template"
    : guest.snapshots.some((s) => s.name === name)
      ? `snapshot name '${name}' already used`
      : !guest.snapshotFeature
        ? "snapshot feature is not available"
        : undefined;
  if (failure === undefined) ctx.model.setLock(guest, "snapshot");
  const task = ctx.tasks.start({
    node: guest.node,
    type: guest.kind === "qemu" ? "qmsnapshot" : "vzsnapshot",
    id: String(guest.vmid),
    user: taskUser(call),
    durationMs: ctx.settings.taskDurationMs,
    finish: () => {
      if (failure !== undefined) return failure;
      if (guest.lock === "snapshot") ctx.model.setLock(guest, undefined);
      const parent = guest.snapshots[guest.snapshots.length - 1]?.name;
      guest.snapshots.push({
        name,
        snaptime: Math.floor(ctx.model.now() / 1000),
        description: call.args.description ?? "",
        vmstate,
        ...(parent !== undefined ? { parent } : {}),
      });
      return okStatus(guest);
    },
  });
  return task.upid;
}

/** PVE checks the snapshot inside the worker: a missing one is the task's failure, not the request's. */
function deleteSnapshot(call: SimCall): unknown {
  checkParams(call.args, ["force"]);
  const guest = requireGuest(call);
  const name = param(call, "snapname");
  if (guest.lock !== undefined) throw lockedError(guest);
  const { ctx } = call;
  const exists = guest.snapshots.some((s) => s.name === name);
  if (exists) ctx.model.setLock(guest, "snapshot-delete");
  const task = ctx.tasks.start({
    node: guest.node,
    type: guest.kind === "qemu" ? "qmdelsnapshot" : "vzdelsnapshot",
    id: String(guest.vmid),
    user: taskUser(call),
    durationMs: ctx.settings.taskDurationMs,
    finish: () => {
      if (guest.lock === "snapshot-delete") ctx.model.setLock(guest, undefined);
      const index = guest.snapshots.findIndex((s) => s.name === name);
      if (!exists || index < 0) return `snapshot '${name}' does not exist`;
      const [removed] = guest.snapshots.splice(index, 1);
      for (const s of guest.snapshots) if (s.parent === name) s.parent = removed?.parent;
      return okStatus(guest);
    },
  });
  return task.upid;
}

/**
 * `…/snapshot/{name}/rollback`: the guest is stopped, its disks rolled back; it runs again when the
 * snapshot holds RAM (qemu) or `start` asks for it. Everything but the parameters is checked in the task.
 */
function rollbackSnapshot(call: SimCall): unknown {
  checkParams(call.args, ["start"]);
  const start = boolParam(call.args, "start") ?? false;
  const guest = requireGuest(call);
  const name = param(call, "snapname");
  const { ctx } = call;
  const failure = guest.template
    ? "you can't rollback if vm is a template"
    : guest.lock !== undefined
      ? `${guest.kind === "qemu" ? "VM" : "CT"} is locked (${guest.lock})`
      : !guest.snapshots.some((s) => s.name === name)
        ? `snapshot '${name}' does not exist`
        : undefined;
  if (failure === undefined) ctx.model.setLock(guest, "rollback");
  const task = ctx.tasks.start({
    node: guest.node,
    type: guest.kind === "qemu" ? "qmrollback" : "vzrollback",
    id: String(guest.vmid),
    user: taskUser(call),
    durationMs: ctx.settings.taskDurationMs,
    finish: () => {
      if (failure !== undefined) return failure;
      const snapshot = guest.snapshots.find((s) => s.name === name);
      if (!snapshot) return `snapshot '${name}' does not exist`;
      ctx.model.setRunState(guest, "stopped", undefined);
      if (snapshot.vmstate || start) ctx.model.setRunState(guest, "running", undefined);
      return okStatus(guest);
    },
  });
  return task.upid;
}

export const snapshotRoutes: Route[] = [
  { method: "POST", path: "/nodes/{node}/{kind}/{vmid}/snapshot", handler: createSnapshot, proxied: true },
  { method: "DELETE", path: "/nodes/{node}/{kind}/{vmid}/snapshot/{snapname}", handler: deleteSnapshot, proxied: true },
  { method: "POST", path: "/nodes/{node}/{kind}/{vmid}/snapshot/{snapname}/rollback", handler: rollbackSnapshot, proxied: true },
];
