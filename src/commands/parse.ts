import { z } from "zod";
import type { Config } from "../config/schema.js";
import { mergeBackupLayers, toVzdumpParams, BACKUP_KEYS } from "./backup.js";
import { backupSchema, generatedSnapshotName, guestParamSchemas, nodeParamSchemas, PARAM_LABELS, QEMU_ONLY_PARAMS } from "./params.js";
import { decodePayload, quote } from "./payload.js";
import { POWER_ACTIONS, type Command, type DeviceRef, type ParseContext, type ParseResult } from "./types.js";

export type { Command, DeviceRef, ParseResult, ParseContext } from "./types.js";

/*
 * `/set` payload → typed command (CONTRACT section 6). Pure: no I/O, never throws; every refusal
 * is a short sentence naming the problem and what to send instead.
 */

const GUEST_ACTION_LIST = [...POWER_ACTIONS, "snapshot", "snapshot_delete", "rollback", "backup", "refresh"] as const;
const NODE_ACTION_LIST = ["reboot", "shutdown", "startall", "stopall", "refresh"] as const;
const ACTIONS_BY_KIND: Record<DeviceRef["kind"], readonly string[]> = {
  qemu: GUEST_ACTION_LIST,
  lxc: GUEST_ACTION_LIST,
  node: NODE_ACTION_LIST,
  storage: ["refresh"],
  bridge: ["refresh"],
};

const PARAMS_BY_ACTION: Record<string, readonly string[]> = {
  shutdown: ["timeout", "force_stop"],
  reboot: ["timeout"],
  suspend: ["todisk"],
  snapshot: ["name", "description", "vmstate"],
  snapshot_delete: ["name"],
  rollback: ["name", "start"],
  backup: [...BACKUP_KEYS, "email", "options"],
  stopall: ["timeout"],
};

/** The parameters a strict schema refused, or the first invalid value, as one sentence. */
function describeIssues(issues: z.core.$ZodIssue[], params: Record<string, unknown>, action: string, kind: DeviceRef["kind"]): string {
  const unknown = issues.find((issue) => issue.code === "unrecognized_keys");
  if (unknown && unknown.code === "unrecognized_keys") {
    const names = unknown.keys.map((key) => quote(key)).join(", ");
    const expected = (PARAMS_BY_ACTION[action] ?? []).filter((key) => kind === "qemu" || !QEMU_ONLY_PARAMS[action]?.includes(key));
    const hint = expected.length > 0 ? `expected ${expected.join(", ")}` : `${action} takes no parameters`;
    return `unknown parameter${unknown.keys.length > 1 ? "s" : ""} ${names} for ${action} on ${kind} (${hint})`;
  }
  const issue = issues[0]!;
  const key = String(issue.path[0] ?? "");
  const label = PARAM_LABELS[key] ?? `'${key}'`;
  return `invalid ${label} ${quote(params[key])}: ${issue.message}`;
}

function notAllowed(action: string, device: DeviceRef, config: Config): string | null {
  if (action === "refresh") return null;
  const commands = config.commands;
  if (!commands.enabled) return `action '${action}' is not allowed: commands.enabled is false (read-only bridge; only refresh is accepted)`;
  if (device.kind === "node") {
    return commands.node_power ? null : `node action '${action}' is not allowed: set commands.node_power to true to enable node reboot, shutdown, startall and stopall`;
  }
  if (!(commands.allow as readonly string[]).includes(action)) {
    return `action '${action}' is not allowed: commands.allow is [${commands.allow.join(", ")}]`;
  }
  return null;
}

function guestParams(
  action: string,
  kind: "qemu" | "lxc",
  params: Record<string, unknown>,
  config: Config,
  context: ParseContext,
): { ok: true; value: unknown } | { ok: false; error: string } {
  if (kind === "lxc") {
    const qemuOnly = Object.keys(params).find((key) => QEMU_ONLY_PARAMS[action]?.includes(key));
    if (qemuOnly) return { ok: false, error: `parameter '${qemuOnly}' is only valid for qemu` };
  }
  if (action === "backup") {
    const merged = mergeBackupLayers(config, params);
    if (!merged.ok) return merged;
    const fields = backupSchema.safeParse(merged.value);
    if (!fields.success) return { ok: false, error: describeIssues(fields.error.issues, merged.value, action, kind) };
    return toVzdumpParams(fields.data, context.node, context.backupStorages);
  }
  const schema: z.ZodType = guestParamSchemas[kind][action as keyof (typeof guestParamSchemas)["qemu"]];
  const parsed = schema.safeParse(params);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues, params, action, kind) };
  const value = withoutUndefined(parsed.data as Record<string, unknown>);
  if (action === "snapshot" && value.snapname === undefined) value.snapname = generatedSnapshotName(context.now());
  return { ok: true, value };
}

function nodeParams(action: string, params: Record<string, unknown>): { ok: true; value: unknown } | { ok: false; error: string } {
  const schema: z.ZodType<Record<string, unknown>> = action === "stopall" ? nodeParamSchemas.stopall : nodeParamSchemas.other;
  const parsed = schema.safeParse(params);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error.issues, params, action, "node") };
  return { ok: true, value: withoutUndefined(parsed.data) };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

export function parseCommand(device: DeviceRef, payload: Buffer, config: Config, context: ParseContext): ParseResult {
  const decoded = decodePayload(payload);
  if (!decoded.ok) return decoded;
  const { action, id, params } = decoded;

  const known = ACTIONS_BY_KIND[device.kind];
  if (!known.includes(action)) {
    const hint = action !== action.toLowerCase() && known.includes(action.toLowerCase()) ? "; actions are lower case" : "";
    return { ok: false, error: `unknown action ${quote(action)} for ${device.kind} (expected one of ${known.join(", ")}${hint})`, id, action: /^[A-Za-z0-9_-]{1,64}$/.test(action) ? action : null };
  }
  const fail = (error: string): ParseResult => ({ ok: false, error, id, action });

  const refusal = notAllowed(action, device, config);
  if (refusal) return fail(refusal);

  if (action === "refresh") {
    const extra = Object.keys(params);
    if (extra.length > 0) return fail(`unknown parameter ${quote(extra[0])} for refresh (refresh takes no parameters)`);
    return { ok: true, id, command: { target: "refresh", device, action: "refresh", params: {} } };
  }
  if (device.kind === "qemu" || device.kind === "lxc") {
    const result = guestParams(action, device.kind, params, config, context);
    if (!result.ok) return fail(result.error);
    const command = { target: "guest", guest: { kind: device.kind, vmid: device.vmid }, action, params: result.value } as Command;
    return { ok: true, id, command };
  }
  if (device.kind === "node") {
    const result = nodeParams(action, params);
    if (!result.ok) return fail(result.error);
    return { ok: true, id, command: { target: "node", node: device.node, action, params: result.value } as Command };
  }
  return fail(`action ${quote(action)} is not available for ${device.kind}`);
}
