import { z } from "zod";
import type { GuestKind } from "../pve/types.js";

/*
 * zod schemas of each action's parameters, as users write them (CONTRACT section 6). Each one is
 * strict (an unknown parameter is an error) and outputs PVE's form fields.
 */

const FLAG_MESSAGE = "expected true or false";
/** true/false, 0/1, and the words a Jeedom options string carries. */
export const flag = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(["0", "1", "true", "false", "yes", "no"])], { error: FLAG_MESSAGE })
  .transform((value): 0 | 1 => (value === true || value === 1 || value === "1" || value === "true" || value === "yes" ? 1 : 0));

const timeout = z
  .number({ error: "expected whole seconds from 1 to 7200" })
  .int({ error: "expected whole seconds from 1 to 7200" })
  .min(1, { error: "expected whole seconds from 1 to 7200" })
  .max(7200, { error: "expected whole seconds from 1 to 7200" });

/** C0 controls and DEL; descriptions may still hold line breaks and tabs. */
const CONTROL = /[\u0000-\u001F\u007F]/;
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const SNAPSHOT_NAME_RULE = "must start with a letter, then letters, digits, _ or - (2–40 characters)";
const SNAPSHOT_NAME = /^[a-z][a-z0-9_-]{1,39}$/i;
const RESERVED_SNAPSHOT_NAMES: Record<GuestKind, string[]> = { qemu: ["current", "pending"], lxc: ["current", "vzdump"] };

function snapshotName(kind: GuestKind) {
  return z
    .string({ error: SNAPSHOT_NAME_RULE })
    .regex(SNAPSHOT_NAME, { error: SNAPSHOT_NAME_RULE })
    .refine((name) => !RESERVED_SNAPSHOT_NAMES[kind].includes(name.toLowerCase()), {
      error: `the names ${RESERVED_SNAPSHOT_NAMES[kind].join(" and ")} are reserved by PVE for ${kind}: choose another`,
    });
}

/** `pve2mqtt_YYYYMMDD_HHMMSS` in UTC. */
export function generatedSnapshotName(now: Date): string {
  const iso = now.toISOString(); // 2024-05-01T12:34:56.789Z
  return `pve2mqtt_${iso.slice(0, 10).replaceAll("-", "")}_${iso.slice(11, 19).replaceAll(":", "")}`;
}

const description = z
  .string({ error: "expected text" })
  .max(8192, { error: "at most 8 KiB" })
  .refine((text) => !CONTROL_EXCEPT_LINES.test(text), { error: "control characters are not allowed" });

const noParams = z.object({}).strict();

/** The parameter schemas of one guest kind. */
function guestSchemas(kind: GuestKind) {
  return {
    start: noParams,
    stop: noParams,
    resume: noParams,
    shutdown: z
      .object({ timeout: timeout.optional(), force_stop: flag.optional() })
      .strict()
      .transform(({ timeout, force_stop }) => ({ timeout, forceStop: force_stop })),
    reboot: z.object({ timeout: timeout.optional() }).strict(),
    suspend: kind === "qemu" ? z.object({ todisk: flag.optional() }).strict() : noParams,
    // An absent name stays absent here: the parser generates it from its clock.
    snapshot: z
      .object({
        name: snapshotName(kind).optional(),
        description: description.optional(),
        ...(kind === "qemu" ? { vmstate: flag.optional() } : {}),
      })
      .strict()
      .transform((params) => ({
        snapname: params.name,
        description: params.description,
        vmstate: "vmstate" in params ? (params.vmstate as 0 | 1 | undefined) : undefined,
      })),
    snapshot_delete: z
      .object({ name: snapshotName(kind) })
      .strict()
      .transform(({ name }) => ({ snapname: name })),
    // PVE 8 takes `start` for both kinds.
    rollback: z
      .object({ name: snapshotName(kind), start: flag.optional() })
      .strict()
      .transform(({ name, start }) => ({ snapname: name, start })),
  } as const;
}

/**
 * Built once per guest kind, never per command: zod compiles a parser for every schema, and on
 * Node 24 building schemas per message leaked the compiled code (hundreds of MB under a fuzz).
 */
export const guestParamSchemas = { qemu: guestSchemas("qemu"), lxc: guestSchemas("lxc") } as const;

export const nodeParamSchemas = {
  stopall: z.object({ timeout: timeout.optional() }).strict(),
  other: noParams,
} as const;

/** Parameters that exist only for qemu; on lxc they get their own error. */
export const QEMU_ONLY_PARAMS: Partial<Record<string, string[]>> = { suspend: ["todisk"], snapshot: ["vmstate"] };

/** How each parameter is named in errors, when "'key'" is not clear enough. */
export const PARAM_LABELS: Record<string, string> = { name: "snapshot name" };

const STORAGE_ID = /^[a-z][a-z0-9._-]*[a-z0-9]$/i;
const MAIL_ITEM = /^[^\s,;@"'<>]+(@[^\s,;@"'<>]+)?$/;
const cleanText = (max: number, what: string) =>
  z
    .string({ error: `expected ${what}` })
    .max(max, { error: `at most ${max} characters` })
    .refine((text) => !CONTROL.test(text), { error: "control characters are not allowed" });

/** The whitelist of vzdump fields a backup command may set, after merging defaults, options and JSON. */
export const backupSchema = z
  .object({
    storage: z
      .string({ error: "expected a storage id" })
      .regex(STORAGE_ID, { error: "expected a storage id such as local or nas" })
      .optional(),
    mode: z.enum(["snapshot", "suspend", "stop"], { error: "expected snapshot, suspend or stop" }).default("snapshot"),
    compress: z
      .union([z.enum(["0", "1", "gzip", "lzo", "zstd"]), z.literal(0), z.literal(1)], { error: "expected 0, gzip, lzo or zstd" })
      .transform((value) => String(value) as "0" | "1" | "gzip" | "lzo" | "zstd")
      .default("zstd"),
    mailto: cleanText(1024, "e-mail addresses or user names")
      .transform((text) => text.split(/[\s,;]+/).filter((item) => item !== ""))
      .refine((items) => items.length > 0 && items.every((item) => MAIL_ITEM.test(item)), {
        error: "expected e-mail addresses or PVE user names, separated by commas",
      })
      .transform((items) => items.join(","))
      .optional(),
    mailnotification: z.enum(["always", "failure"], { error: "expected always or failure" }).optional(),
    remove: flag.optional(),
    notes: cleanText(1024, "text").optional(),
    protected: flag.optional(),
  })
  .strict();

