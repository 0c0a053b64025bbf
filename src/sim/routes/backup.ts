import { requireNode, shuffled, taskUser, type SimCall } from "../context.js";
import { checkParams, paramError, SimHttpError } from "../http-error.js";
import type { SimGuest, SimNode, SimStorage } from "../model.js";
import type { Route } from "../router.js";
import { runBackupJob } from "../vzdump-job.js";

const VZDUMP_PARAMS = [
  "vmid", "storage", "mode", "compress", "mailto", "mailnotification", "notification-mode", "remove", "prune-backups",
  "notes-template", "protected", "all", "exclude", "pool", "bwlimit", "ionice", "lockwait", "stopwait", "zstd", "pigz",
  "quiet", "stdexcludes", "exclude-path", "tmpdir", "dumpdir", "script", "stop", "node", "maxfiles", "performance", "fleecing",
];

const ENUMS: Record<string, string[]> = {
  mode: ["snapshot", "suspend", "stop"],
  compress: ["0", "1", "gzip", "lzo", "zstd"],
  mailnotification: ["always", "failure"],
  "notification-mode": ["auto", "legacy-sendmail", "notification-system"],
};

function vzdump(call: SimCall): unknown {
  const node = requireNode(call);
  const { args, ctx } = call;
  checkParams(args, VZDUMP_PARAMS);
  for (const [key, values] of Object.entries(ENUMS)) {
    const value = args[key];
    if (value !== undefined && !values.includes(value)) throw paramError({ [key]: `value '${value}' does not have a value in the enumeration '${values.join(", ")}'` });
  }
  for (const key of ["notes-template", "protected"]) {
    if (args[key] !== undefined && args.storage === undefined) throw paramError({ storage: `missing property - '${key}' requires this property` });
  }
  if (args.vmid === undefined && args.all === undefined && args.pool === undefined) {
    throw paramError({ vmid: "property is missing and it is not optional" });
  }
  const storageId = args.storage ?? "local";
  const storage = ctx.model.storages.get(storageId);
  if (!storage || !ctx.model.storageEnabledOn(storage, node.name)) throw new SimHttpError(500, `storage '${storageId}' does not exist`);
  if (!storage.content.includes("backup")) throw new SimHttpError(500, `can't use storage '${storageId}' for backups - wrong content type`);

  const vmids = (args.vmid ?? "").split(/[,;\s]+/).filter(Boolean).map(Number);
  const local: SimGuest[] = [];
  for (const guest of ctx.model.guests.values()) {
    if (guest.node === node.name && (args.all === "1" || vmids.includes(guest.vmid))) local.push(guest);
  }
  // PVE: nothing of the list lives here → "OK", and nothing runs.
  if (local.length === 0) return "OK";

  const task = runBackupJob(ctx, {
    node: node.name,
    guests: local.sort((a, b) => a.vmid - b.vmid),
    storage,
    mode: args.mode ?? "snapshot",
    user: taskUser(call),
    commandLine: commandLine(args),
    ...(args.compress !== undefined ? { compress: args.compress } : {}),
  });
  return task.upid;
}

/** How vzdump's log shows the job: the vmids, then the options as given. */
function commandLine(args: Record<string, string>): string {
  const vmids = (args.vmid ?? "").split(/[,;\s]+/).filter(Boolean);
  const options = Object.entries(args).filter(([key]) => key !== "vmid").map(([key, value]) => `--${key} ${/\s/.test(value) ? `'${value}'` : value}`);
  return ["vzdump", ...vmids, ...options].join(" ");
}

function requireStorage(call: SimCall) {
  const name = call.params.storage ?? "";
  const storage = call.ctx.model.storages.get(name);
  if (!storage) throw new SimHttpError(400, "No such storage.");
  return storage;
}

function storageStatus(call: SimCall): unknown {
  return statusOf(call, requireNode(call), requireStorage(call));
}

function statusOf(call: SimCall, node: SimNode, storage: SimStorage): Record<string, unknown> {
  const enabled = call.ctx.model.storageEnabledOn(storage, node.name);
  const active = enabled && storage.active;
  return {
    type: storage.type,
    content: shuffled(storage.content).join(","),
    shared: storage.shared ? 1 : 0,
    enabled: enabled ? 1 : 0,
    active: active ? 1 : 0,
    total: active ? storage.total : 0,
    used: active ? storage.used : 0,
    avail: active ? storage.total - storage.used : 0,
  };
}

/** The node's storages (those enabled there), with the status fields plus storage and used_fraction. */
function storageList(call: SimCall): unknown {
  const node = requireNode(call);
  checkParams(call.args, ["content", "enabled", "storage", "target", "format"]);
  const rows: Record<string, unknown>[] = [];
  for (const storage of call.ctx.model.storages.values()) {
    if (!call.ctx.model.storageEnabledOn(storage, node.name)) continue;
    if (call.args.storage !== undefined && call.args.storage !== storage.storage) continue;
    if (call.args.content !== undefined && !call.args.content.split(",").some((c) => storage.content.includes(c))) continue;
    if (call.args.enabled === "1" && !storage.active) continue;
    const row: Record<string, unknown> = { storage: storage.storage, ...statusOf(call, node, storage) };
    if (typeof row.total === "number" && row.total > 0) row.used_fraction = (row.used as number) / row.total;
    rows.push(row);
  }
  return rows;
}

function storageContent(call: SimCall): unknown {
  const node = requireNode(call);
  const storage = requireStorage(call);
  checkParams(call.args, ["content", "vmid"]);
  if (!storage.active) throw new SimHttpError(500, `storage '${storage.storage}' is not online`);
  if (call.args.content !== undefined && call.args.content !== "backup") return [];
  const vmid = call.args.vmid ? Number(call.args.vmid) : undefined;
  return call.ctx.model.backups
    .filter((b) => b.storage === storage.storage && (storage.shared || b.node === node.name))
    .filter((b) => vmid === undefined || b.vmid === vmid)
    .map((b) => ({ volid: b.volid, content: "backup", ctime: b.ctime, vmid: b.vmid, size: b.size, format: b.format, subtype: b.volid.includes("-qemu-") ? "qemu" : "lxc" }));
}

export const backupRoutes: Route[] = [
  { method: "POST", path: "/nodes/{node}/vzdump", handler: vzdump, proxied: true },
  { method: "GET", path: "/nodes/{node}/storage", handler: storageList, proxied: true },
  { method: "GET", path: "/nodes/{node}/storage/{storage}/status", handler: storageStatus, proxied: true },
  { method: "GET", path: "/nodes/{node}/storage/{storage}/content", handler: storageContent, proxied: true },
];
