import type { Config } from "../config/schema.js";
import { backupSchema } from "./params.js";
import { quote } from "./payload.js";
import type { BackupParams } from "./types.js";

/*
 * A backup command's parameters come from three layers, later ones winning: `commands.backup` in
 * the config, Jeedom's `"options": "storage=nas mode=stop"` string, and the JSON fields.
 */

export const BACKUP_KEYS = ["storage", "mode", "compress", "mailto", "mailnotification", "remove", "notes", "protected"] as const;

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** `key=value key2="a value with spaces"` → record; unknown keys, repeats and bare words are refused. */
export function parseOptionsString(options: unknown): Outcome<Record<string, string>> {
  if (typeof options !== "string") return { ok: false, error: `invalid 'options' ${quote(options)}: expected a string such as "storage=nas mode=stop"` };
  const result: Record<string, string> = {};
  const token = /\s*([^\s=]+)=(?:"([^"]*)"|'([^']*)'|(\S*))\s*|\s*(\S+)\s*/gy;
  let match: RegExpExecArray | null;
  while (token.lastIndex < options.length && (match = token.exec(options)) !== null) {
    if (match[5] !== undefined) return { ok: false, error: `malformed entry ${quote(match[5])} in 'options': expected key=value, such as storage=nas` };
    const key = match[1]!;
    const value = match[2] ?? match[3] ?? match[4] ?? "";
    const canonical = key === "email" ? "mailto" : key;
    if (!(BACKUP_KEYS as readonly string[]).includes(canonical)) {
      return { ok: false, error: `unknown backup option ${quote(key)} in 'options' (expected ${BACKUP_KEYS.join(", ")})` };
    }
    if (canonical in result) return { ok: false, error: `backup option ${quote(canonical)} is given twice in 'options'` };
    result[canonical] = value;
  }
  return { ok: true, value: result };
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** The merged layers, before validation; errors for the alias and options string are returned as text. */
export function mergeBackupLayers(config: Config, jsonParams: Record<string, unknown>): Outcome<Record<string, unknown>> {
  const { options, email, ...fields } = jsonParams;
  if (email !== undefined) {
    if (fields.mailto !== undefined) return { ok: false, error: "give either 'mailto' or its alias 'email', not both" };
    fields.mailto = email;
  }
  let fromOptions: Record<string, string> = {};
  if (options !== undefined) {
    const parsed = parseOptionsString(options);
    if (!parsed.ok) return parsed;
    fromOptions = parsed.value;
  }
  return { ok: true, value: { ...withoutUndefined(config.commands.backup), ...fromOptions, ...fields } };
}

/** Turns validated fields into vzdump's form fields and checks what depends on the node. */
export function toVzdumpParams(
  fields: ReturnType<typeof backupSchema.parse>,
  node: string | null | undefined,
  backupStorages: (node: string) => string[],
): Outcome<BackupParams> {
  const { notes, ...rest } = fields;
  if ((notes !== undefined || fields.protected !== undefined) && fields.storage === undefined) {
    const which = notes !== undefined ? "notes" : "protected";
    return { ok: false, error: `backup parameter '${which}' needs a storage: add "storage" (or set commands.backup.storage)` };
  }
  if (fields.storage !== undefined) {
    if (!node) return { ok: false, error: `cannot check backup storage ${quote(fields.storage)}: the guest's node is unknown` };
    const allowed = backupStorages(node);
    if (!allowed.includes(fields.storage)) {
      const list = allowed.length > 0 ? allowed.join(", ") : "none";
      return { ok: false, error: `storage ${quote(fields.storage)} does not hold backups on node ${node} (storages with backup content there: ${list})` };
    }
  }
  return { ok: true, value: withoutUndefined({ ...rest, "notes-template": notes }) as unknown as BackupParams };
}
