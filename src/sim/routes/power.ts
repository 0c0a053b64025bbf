import { okStatus, param, requireGuest, taskUser, type SimCall, type SimContext } from "../context.js";
import { boolParam, checkParams, paramError, SimHttpError } from "../http-error.js";
import { isRunning, type SimGuest } from "../model.js";
import type { Route } from "../router.js";

type Action = "start" | "stop" | "shutdown" | "reboot" | "reset" | "suspend" | "resume";

const QEMU_PARAMS: Record<Action, readonly string[]> = {
  start: ["timeout", "skiplock", "machine", "migratedfrom", "migration_network", "migration_type", "stateuri", "targetstorage", "force-cpu", "forcemachine"],
  stop: ["timeout", "overrule-shutdown", "skiplock", "keepActive", "migratedfrom"],
  shutdown: ["timeout", "forceStop", "keepActive", "skiplock"],
  reboot: ["timeout"],
  reset: ["skiplock"],
  suspend: ["todisk", "statestorage", "skiplock"],
  resume: ["skiplock", "nocheck"],
};
const LXC_PARAMS: Partial<Record<Action, readonly string[]>> = {
  start: ["debug", "skiplock"],
  stop: ["overrule-shutdown", "skiplock"],
  shutdown: ["timeout", "forceStop"],
  reboot: ["timeout"],
  suspend: [],
  resume: [],
};

export const CRIU_FAILURE = "CRIU checkpointing failed - experimental feature";

/** Locks refuse actions at once ("VM is locked (backup)"); a hibernated VM's lock only allows waking. */
function checkLock(guest: SimGuest, action: Action): void {
  if (guest.lock === undefined) return;
  if (guest.lock === "suspended" && ["start", "resume", "stop", "shutdown"].includes(action)) return;
  throw new SimHttpError(500, `${guest.kind === "qemu" ? "VM" : "CT"} is locked (${guest.lock})`);
}

function powerAction(action: Action) {
  return (call: SimCall): unknown => {
    const kind = param(call, "kind");
    const allowed = kind === "qemu" ? QEMU_PARAMS[action] : LXC_PARAMS[action];
    if (!allowed) throw new SimHttpError(501, `Method 'POST ${call.path}' not implemented`);
    checkParams(call.args, allowed);
    const guest = requireGuest(call);
    checkLock(guest, action);
    return guest.kind === "qemu" ? qemuAction(call, guest, action) : lxcAction(call, guest, action);
  };
}

function haAction(call: SimCall, guest: SimGuest, action: "start" | "stop"): string {
  const { ctx } = call;
  if (action === "stop" && call.args["overrule-shutdown"] !== undefined) {
    throw paramError({ "overrule-shutdown": "Not applicable for HA resources." });
  }
  const target = action === "start" ? "started" : "stopped";
  const task = ctx.tasks.start({ node: guest.node, type: action === "start" ? "hastart" : "hastop", id: String(guest.vmid), user: taskUser(call), durationMs: 0, finish: () => "OK" });
  // The HA manager acts later, in its own task on the guest's node, as root@pam.
  ctx.timers.after(ctx.settings.haDelayMs, () => {
    if (ctx.model.guests.get(guest.vmid) !== guest) return;
    const type = `${guest.kind === "qemu" ? "qm" : "vz"}${action}`;
    ctx.tasks.start({
      node: guest.node,
      type,
      id: String(guest.vmid),
      user: "root@pam",
      durationMs: 0,
      finish: () => {
        if (action === "start" && !isRunning(guest)) ctx.model.setRunState(guest, "running");
        if (action === "stop" && isRunning(guest)) ctx.model.setRunState(guest, "stopped");
        ctx.model.setHaState(guest, target);
        return okStatus(guest);
      },
    });
  });
  return task.upid;
}

function runTask(call: SimCall, guest: SimGuest, type: string, apply: (ctx: SimContext) => string | void): string {
  const { ctx } = call;
  const task = ctx.tasks.start({
    node: guest.node,
    type,
    id: String(guest.vmid),
    user: taskUser(call),
    durationMs: ctx.settings.taskDurationMs,
    finish: () => {
      if (ctx.model.guests.get(guest.vmid) !== guest) return `Configuration file of ${guest.vmid} does not exist`;
      return apply(ctx) ?? okStatus(guest);
    },
  });
  return task.upid;
}

function qemuAction(call: SimCall, guest: SimGuest, action: Action): string {
  const id = guest.vmid;
  const forceStop = boolParam(call.args, "forceStop") ?? false;
  switch (action) {
    case "start":
      if (guest.ha) return haAction(call, guest, "start");
      return runTask(call, guest, "qmstart", ({ model }) => {
        if (guest.template) return "you can't start a vm if it's a template";
        if (isRunning(guest)) return `VM ${id} already running`;
        model.setRunState(guest, "running");
      });
    case "stop":
      if (guest.ha) return haAction(call, guest, "stop");
      return runTask(call, guest, "qmstop", ({ model }) => {
        if (isRunning(guest)) model.setRunState(guest, "stopped");
      });
    case "shutdown":
      if (["paused", "prelaunch", "suspended"].includes(guest.runState) && !forceStop) {
        throw new SimHttpError(500, "VM is paused - cannot shutdown");
      }
      if (guest.ha) return haAction(call, guest, "stop");
      return runTask(call, guest, "qmshutdown", ({ model }) => {
        if (isRunning(guest)) model.setRunState(guest, "stopped");
      });
    case "reboot":
      if (!isRunning(guest)) throw new SimHttpError(500, `VM ${id} not running`);
      if (guest.runState !== "running") throw new SimHttpError(500, "VM is paused - cannot reboot");
      return runTask(call, guest, "qmreboot", ({ model }) => {
        model.setRunState(guest, "stopped");
        model.setRunState(guest, "running");
      });
    case "reset":
      if (!isRunning(guest)) throw new SimHttpError(500, `VM ${id} not running`);
      return runTask(call, guest, "qmreset", ({ model }) => {
        model.setRunState(guest, "stopped");
        model.setRunState(guest, "running");
      });
    case "suspend": {
      const todisk = boolParam(call.args, "todisk") ?? false;
      if (call.args.statestorage !== undefined && !todisk) throw paramError({ statestorage: "missing property - 'todisk' is required by this property" });
      if (!isRunning(guest)) throw new SimHttpError(500, `VM ${id} not running`);
      if (todisk && guest.ha) throw new SimHttpError(500, "Cannot suspend HA managed VM to disk");
      return runTask(call, guest, todisk ? "qmsuspend" : "qmpause", ({ model }) => {
        if (!isRunning(guest)) return `VM ${id} not running`;
        if (todisk) model.setRunState(guest, "stopped", "suspended");
        else model.setRunState(guest, "paused");
      });
    }
    case "resume": {
      const hibernated = guest.runState === "stopped" && guest.lock === "suspended";
      if (!isRunning(guest) && !hibernated) throw new SimHttpError(500, `VM ${id} not running`);
      return runTask(call, guest, "qmresume", ({ model }) => {
        model.setRunState(guest, "running");
      });
    }
  }
}

function lxcAction(call: SimCall, guest: SimGuest, action: Action): string {
  const id = guest.vmid;
  const notRunning = (): SimHttpError => new SimHttpError(500, `CT ${id} not running`);
  switch (action) {
    case "start":
      if (isRunning(guest)) throw new SimHttpError(500, `CT ${id} already running`);
      if (guest.ha) return haAction(call, guest, "start");
      return runTask(call, guest, "vzstart", ({ model }) => {
        if (guest.template) return "cannot start a template";
        model.setRunState(guest, "running");
      });
    case "stop":
      if (guest.ha) return haAction(call, guest, "stop");
      if (!isRunning(guest)) throw notRunning();
      return runTask(call, guest, "vzstop", ({ model }) => {
        model.setRunState(guest, "stopped");
      });
    case "shutdown":
      if (!isRunning(guest)) throw notRunning();
      if (guest.ha) return haAction(call, guest, "stop");
      return runTask(call, guest, "vzshutdown", ({ model }) => {
        model.setRunState(guest, "stopped");
      });
    case "reboot":
      if (!isRunning(guest)) throw notRunning();
      return runTask(call, guest, "vzreboot", ({ model }) => {
        model.setRunState(guest, "stopped");
        model.setRunState(guest, "running");
      });
    case "suspend":
      if (!isRunning(guest)) throw notRunning();
      return runTask(call, guest, "vzsuspend", () => CRIU_FAILURE);
    case "resume":
      if (isRunning(guest)) throw new SimHttpError(500, `CT ${id} already running`);
      return runTask(call, guest, "vzresume", () => CRIU_FAILURE);
    case "reset":
      throw new SimHttpError(501, `Method 'POST ${call.path}' not implemented`);
  }
}

const ACTIONS: Action[] = ["start", "stop", "shutdown", "reboot", "reset", "suspend", "resume"];

export const powerRoutes: Route[] = ACTIONS.map((action) => ({
  method: "POST" as const,
  path: `/nodes/{node}/{kind}/{vmid}/status/${action}`,
  handler: powerAction(action),
  proxied: true,
}));
