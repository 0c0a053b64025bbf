import cronParser from "cron-parser";
import { z } from "zod";
import { backupSchema, guestParamSchemas } from "../commands/params.js";

/*
 * The `schedules` section (CONTRACT section 11): each entry's keys, checked one by one, then the
 * rules between them (parameters of the action, `keep`, unique names). Errors are config errors
 * like any other: the key's path, with the schedule's name.
 */

/** Every guest action of section 6 (kept here so the config schema does not import itself). */
const ACTIONS = ["start", "shutdown", "stop", "reboot", "suspend", "resume", "snapshot", "snapshot_delete", "backup", "rollback"] as const;
export type ScheduleAction = (typeof ACTIONS)[number];

/** The keys of a schedule that are not parameters of its action. */
const OWN_KEYS = ["name", "cron", "timezone", "action", "targets", "keep"] as const;

/**
 * The action parameters a schedule may carry, as a user writes them in a command. `snapshot` is
 * the snapshot's name for rollback and snapshot_delete (`name` is the schedule's own).
 */
const PARAMS_BY_ACTION: Record<ScheduleAction, readonly string[]> = {
  start: [],
  stop: [],
  resume: [],
  shutdown: ["timeout", "force_stop"],
  reboot: ["timeout"],
  suspend: ["todisk"],
  snapshot: ["vmstate"],
  snapshot_delete: ["snapshot"],
  rollback: ["snapshot", "start"],
  backup: ["storage", "mode", "compress", "mailto", "mailnotification", "remove", "notes", "protected"],
};

/** auto_<name>_YYYYMMDDHHMMSS must fit PVE's 40 characters. */
const MAX_SNAPSHOT_SCHEDULE_NAME = 40 - "auto_".length - "_".length - 14;

export type ScheduleTargets = { kind: "all" } | { kind: "vmids"; vmids: number[] } | { kind: "tags"; tags: string[] } | { kind: "nodes"; nodes: string[] };

const TARGETS_HINT = 'expected "all", { vmids: [100, 200] }, { tags: [prod] } or { nodes: [pve1] }';

/** `5 fields, or 6 with seconds`, as node-schedule reads them (its own parser, cron-parser). */
export function cronProblem(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return `expected a cron expression of 5 fields (minute hour day month weekday), or 6 with seconds first, such as "0 2 * * *"; ${fields.length} field(s) given`;
  }
  try {
    cronParser.parseExpression(cron.trim());
    return null;
  } catch (error) {
    return `expected a cron expression such as "0 2 * * *" (${error instanceof Error ? error.message : String(error)})`;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const TargetList = {
  vmids: z.array(z.number({ error: "expected vmids (whole numbers)" }).int({ error: "expected vmids (whole numbers)" }).min(1, { error: "expected vmids (whole numbers)" })),
  tags: z.array(z.string({ error: "expected tags (text)" }).trim().min(1, { error: "expected tags (text)" })),
  nodes: z.array(z.string({ error: "expected node names (text)" }).trim().min(1, { error: "expected node names (text)" })),
} as const;

const Targets = z.unknown().transform((value, ctx): ScheduleTargets => {
  const fail = (message: string, path: (string | number)[] = [], input: unknown = value): never => {
    ctx.addIssue({ code: "custom", message, path, input });
    return z.NEVER;
  };
  if (value === undefined) return fail(`required, ${TARGETS_HINT}`);
  if (value === "all") return { kind: "all" };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(TARGETS_HINT);
  const keys = Object.keys(value);
  if (keys.length !== 1 || !(keys[0]! in TargetList)) {
    return fail(keys.length === 0 ? `empty target: ${TARGETS_HINT}` : `expected exactly one of vmids, tags or nodes (they do not combine)`);
  }
  const key = keys[0] as keyof typeof TargetList;
  const list = (value as Record<string, unknown>)[key];
  if (Array.isArray(list) && list.length === 0) return fail(`empty target: expected at least one of the ${key}`, [key], list);
  const parsed = TargetList[key].safeParse(list);
  if (!parsed.success) return fail(Array.isArray(list) ? parsed.error.issues[0]!.message : `expected a list of ${key}`, [key], list);
  switch (key) {
    case "vmids":
      return { kind: "vmids", vmids: [...new Set(parsed.data as number[])] };
    case "tags":
      return { kind: "tags", tags: [...new Set((parsed.data as string[]).map((tag) => tag.toLowerCase()))] };
    case "nodes":
      return { kind: "nodes", nodes: [...new Set(parsed.data as string[])] };
  }
});

const param = z.unknown().optional();

export const ScheduleSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,64}$/, "expected lower-case letters, digits and _ (at most 64; it is part of snapshot names and topics)"),
    cron: z.string().refine((cron) => cronProblem(cron) === null, { error: (issue) => cronProblem(String(issue.input)) ?? "expected a cron expression" }),
    timezone: z.string().refine(isTimeZone, "expected an IANA time zone such as Europe/Paris or UTC").optional(),
    action: z.enum(ACTIONS),
    targets: Targets,
    keep: z.number().int().min(1, "expected a whole number >= 1 (how many of this schedule's snapshots to keep)").optional(),
    vmstate: param,
    snapshot: param,
    start: param,
    timeout: param,
    force_stop: param,
    todisk: param,
    storage: param,
    mode: param,
    compress: param,
    mailto: param,
    mailnotification: param,
    remove: param,
    notes: param,
    protected: param,
  })
  .strict()
  .superRefine((schedule, ctx) => {
    const allowed = PARAMS_BY_ACTION[schedule.action];
    const given = Object.entries(schedule).filter(([key, value]) => value !== undefined && !(OWN_KEYS as readonly string[]).includes(key));
    for (const [key, value] of given) {
      if (!allowed.includes(key)) {
        const hint = allowed.length > 0 ? `its parameters: ${allowed.join(", ")}` : `${schedule.action} takes no parameters`;
        ctx.addIssue({ code: "custom", path: [key], input: value, message: `not a parameter of action ${schedule.action} (${hint})` });
      }
    }
    if (schedule.keep !== undefined && schedule.action !== "snapshot") {
      ctx.addIssue({ code: "custom", path: ["keep"], input: schedule.keep, message: `only for action snapshot (retention of the snapshots this schedule made), not ${schedule.action}` });
    }
    if (schedule.action === "snapshot" && schedule.name.length > MAX_SNAPSHOT_SCHEDULE_NAME) {
      ctx.addIssue({ code: "custom", path: ["name"], input: schedule.name, message: `at most ${MAX_SNAPSHOT_SCHEDULE_NAME} characters for a snapshot schedule (auto_<name>_<14 digits> must fit PVE's 40)` });
    }
    if ((schedule.action === "snapshot_delete" || schedule.action === "rollback") && schedule.snapshot === undefined) {
      ctx.addIssue({ code: "custom", path: ["snapshot"], input: undefined, message: `required for ${schedule.action}: the name of the snapshot` });
      return;
    }
    const params = actionParams(schedule);
    const check = schedule.action === "backup" ? backupSchema.safeParse(params) : guestParamSchemas.qemu[schedule.action].safeParse(params);
    if (!check.success) {
      for (const issue of check.error.issues) {
        if (issue.code === "unrecognized_keys") continue;
        const key = paramKey(String(issue.path[0] ?? ""));
        ctx.addIssue({ code: "custom", path: [key], input: (schedule as Record<string, unknown>)[key], message: issue.message });
      }
    }
  });

export type ScheduleConfig = z.output<typeof ScheduleSchema>;

/** The schedule list: entries one by one, then names used twice. */
export const SchedulesSchema = z.array(ScheduleSchema).superRefine((schedules, ctx) => {
  const seen = new Map<string, number>();
  schedules.forEach((schedule, index) => {
    const first = seen.get(schedule.name);
    if (first === undefined) seen.set(schedule.name, index);
    else ctx.addIssue({ code: "custom", path: [index, "name"], input: schedule.name, message: `the name is already used by schedules[${first}]; each schedule needs its own` });
  });
});

/** A JSON string (from the environment) is read as JSON; a YAML list is taken as it is. */
export const SchedulesSetting = z
  .preprocess((value) => {
    if (typeof value !== "string") return value;
    const text = value.trim();
    if (text === "") return [];
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }, SchedulesSchema)
  .default([]);

/** The command parameters a schedule sends with its action (as a `/set` JSON payload would carry them). */
export function actionParams(schedule: ScheduleConfig): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const key of PARAMS_BY_ACTION[schedule.action]) {
    const value = (schedule as Record<string, unknown>)[key];
    if (value !== undefined) params[key === "snapshot" ? "name" : key] = value;
  }
  return params;
}

function paramKey(commandKey: string): string {
  return commandKey === "name" ? "snapshot" : commandKey;
}

/**
 * The rule between sections: retention deletes snapshots, so `keep` needs `snapshot_delete` in
 * `commands.allow`. One line per schedule that breaks it.
 */
export function retentionProblems(schedules: readonly ScheduleConfig[], allow: readonly string[]): string[] {
  if (allow.includes("snapshot_delete")) return [];
  return schedules.flatMap((schedule, index) =>
    schedule.keep === undefined
      ? []
      : [`schedules[${index}].keep (schedule "${schedule.name}"): retention deletes old snapshots, so it needs snapshot_delete in commands.allow; add it there or remove keep`],
  );
}

/** ` (schedule "nightly")` after a path inside `schedules[i]`, naming the schedule when it has a readable name. */
export function scheduleNote(path: readonly PropertyKey[], raw: unknown): string {
  if (path[0] !== "schedules" || typeof path[1] !== "number" || typeof raw !== "object" || raw === null) return "";
  const list = (raw as Record<string, unknown>).schedules;
  const entry = Array.isArray(list) ? (list[path[1]] as unknown) : undefined;
  const name = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).name : undefined;
  return typeof name === "string" && /^[a-z0-9_]{1,64}$/.test(name) ? ` (schedule "${name}")` : "";
}
