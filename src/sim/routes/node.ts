import { param, requireNode, taskUser, type SimCall } from "../context.js";
import { checkParams, paramError, requireParam } from "../http-error.js";
import { isRunning, type SimNode } from "../model.js";
import { round } from "../resources.js";
import type { Route } from "../router.js";

function nodeStatus(call: SimCall): unknown {
  const node = requireNode(call);
  const { model, settings } = call.ctx;
  const load = node.cpu * node.cpus;
  const loadavg = [load, load * 0.9, load * 0.8].map((v) => v.toFixed(2));
  const memFree = node.memTotal - node.memUsed;
  return {
    uptime: model.nodeUptimeSec(node),
    idle: 0,
    loadavg,
    cpu: round(node.cpu, 4),
    wait: 0.0012,
    cpuinfo: { model: "AMD Ryzen 7 5700G with Radeon Graphics", cpus: node.cpus, cores: node.cpus / 2, sockets: 1, mhz: "3997.481", hvm: "1", flags: "fpu vme de pse tsc msr pae mce", user_hz: 100 },
    memory: { total: node.memTotal, used: node.memUsed, free: memFree },
    swap: { total: node.swapTotal, used: node.swapUsed, free: node.swapTotal - node.swapUsed },
    ksm: { shared: 0 },
    rootfs: { total: node.rootTotal, used: node.rootUsed, free: node.rootTotal - node.rootUsed, avail: Math.max(0, node.rootTotal - node.rootUsed - 5 * 1024 ** 3) },
    pveversion: `pve-manager/${settings.version}/${settings.repoid}`,
    kversion: "Linux 6.8.8-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.8-4 (2024-07-26T11:15Z)",
    "current-kernel": { sysname: "Linux", release: "6.8.8-4-pve", version: "#1 SMP PREEMPT_DYNAMIC PMX 6.8.8-4 (2024-07-26T11:15Z)", machine: "x86_64" },
    "boot-info": { mode: "efi", secureboot: 0 },
  };
}

/** Node reboot/shutdown answer null; the node goes away shortly after. */
function nodePower(call: SimCall): unknown {
  const node = requireNode(call);
  const command = requireParam(call.args, "command");
  if (command !== "reboot" && command !== "shutdown") {
    throw paramError({ command: `value '${command}' does not have a value in the enumeration 'reboot, shutdown'` });
  }
  const { model, timers, settings } = call.ctx;
  const delay = Math.min(2000, settings.taskDurationMs);
  timers.after(delay, () => {
    const wasRunning = [...model.guests.values()].filter((g) => g.node === node.name && isRunning(g));
    for (const guest of wasRunning) model.setRunState(guest, "stopped", guest.lock);
    model.setNodeOnline(node.name, false);
    if (command === "reboot") {
      timers.after(settings.taskDurationMs * 2, () => {
        model.setNodeOnline(node.name, true);
        for (const guest of wasRunning) if (guest.node === node.name) model.setRunState(guest, "running", guest.lock);
      });
    }
  });
  return null;
}

function bulkPower(kind: "startall" | "stopall") {
  return (call: SimCall): unknown => {
    const node = requireNode(call);
    const { model, tasks, settings } = call.ctx;
    const only = call.args.vms?.split(/[,;\s]+/).filter(Boolean).map(Number);
    const task = tasks.start({
      node: node.name,
      type: kind,
      id: "",
      user: taskUser(call),
      durationMs: settings.taskDurationMs,
      finish: () => {
        for (const guest of guestsOf(model.guests.values(), node, only)) {
          if (guest.template || (guest.lock !== undefined && guest.lock !== "suspended")) continue;
          if (kind === "startall" && !isRunning(guest)) model.setRunState(guest, "running");
          if (kind === "stopall" && isRunning(guest)) model.setRunState(guest, "stopped", guest.lock);
          if (guest.ha) model.setHaState(guest, kind === "startall" ? "started" : "stopped");
        }
        return "OK";
      },
    });
    return task.upid;
  };
}

function* guestsOf<T extends { node: string; vmid: number }>(guests: Iterable<T>, node: SimNode, only: number[] | undefined): Generator<T> {
  for (const guest of guests) if (guest.node === node.name && (!only || only.includes(guest.vmid))) yield guest;
}

const UPID_RE = /^UPID:([A-Za-z0-9][A-Za-z0-9-]*):[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\s]+:[^:\s]*:[^:\s]+:$/i;

function taskStatus(call: SimCall): unknown {
  requireNode(call);
  const upid = param(call, "upid");
  const match = UPID_RE.exec(upid);
  if (!match) throw paramError({ upid: `unable to parse worker upid '${upid}'` });
  const task = call.ctx.tasks.get(upid);
  if (match[1] !== param(call, "node") || !task) throw paramError({ upid: "no such task" });
  const data: Record<string, unknown> = {
    upid: task.upid,
    node: task.node,
    pid: task.pid,
    pstart: task.pstart,
    starttime: task.starttime,
    type: task.type,
    id: task.id,
    user: task.user,
    status: task.status,
  };
  if (task.tokenid !== undefined) data.tokenid = task.tokenid;
  if (task.status === "stopped") data.exitstatus = task.exitstatus;
  return data;
}

const TASK_LIST_PARAMS = ["start", "limit", "userfilter", "typefilter", "vmid", "errors", "source", "since", "until", "statusfilter"];

function taskList(call: SimCall): unknown {
  const node = requireNode(call);
  checkParams(call.args, TASK_LIST_PARAMS);
  const { args } = call;
  const start = Number(args.start ?? 0);
  const limit = Number(args.limit ?? 50);
  const errorsOnly = args.errors === "1";
  const since = args.since !== undefined ? Number(args.since) : undefined;
  const until = args.until !== undefined ? Number(args.until) : undefined;
  const rows = call.ctx.tasks
    .list(node.name)
    .filter((t) => args.typefilter === undefined || t.type === args.typefilter)
    .filter((t) => args.vmid === undefined || t.id === args.vmid)
    .filter((t) => args.userfilter === undefined || t.user.includes(args.userfilter))
    .filter((t) => since === undefined || t.starttime >= since)
    .filter((t) => until === undefined || t.starttime <= until)
    .filter((t) => args.source !== "active" || t.status === "running")
    .filter((t) => !errorsOnly || (t.status === "stopped" && t.exitstatus !== "OK" && !t.exitstatus?.startsWith("WARNINGS")))
    .map((t) => {
      const row: Record<string, unknown> = { upid: t.upid, node: t.node, pid: t.pid, pstart: t.pstart, starttime: t.starttime, type: t.type, id: t.id, user: t.user };
      if (t.tokenid !== undefined) row.tokenid = t.tokenid;
      if (t.status === "stopped") {
        row.endtime = t.endtime;
        row.status = t.exitstatus;
      } else {
        row.status = "RUNNING";
      }
      return row;
    });
  return rows.slice(start, start + limit);
}

function nodeVersion(call: SimCall): unknown {
  requireNode(call);
  const { version, repoid } = call.ctx.settings;
  return { version, release: version.split(".").slice(0, 2).join("."), repoid };
}

export const nodeRoutes: Route[] = [
  { method: "GET", path: "/nodes/{node}/status", handler: nodeStatus, proxied: true },
  { method: "POST", path: "/nodes/{node}/status", handler: nodePower, proxied: true, params: ["command"] },
  { method: "GET", path: "/nodes/{node}/version", handler: nodeVersion, proxied: true },
  { method: "POST", path: "/nodes/{node}/startall", handler: bulkPower("startall"), proxied: true, params: ["force", "vms"] },
  { method: "POST", path: "/nodes/{node}/stopall", handler: bulkPower("stopall"), proxied: true, params: ["vms", "force-stop", "timeout"] },
  { method: "GET", path: "/nodes/{node}/tasks", handler: taskList, proxied: true },
  { method: "GET", path: "/nodes/{node}/tasks/{upid}/status", handler: taskStatus, proxied: true, anyUser: true },
];
