import { z } from "zod";
import { EVENT_TYPES } from "../catalog/event.js";

/** The latest instant a JavaScript Date can hold, in seconds since the epoch. */
const MAX_TIMESTAMP_S = 8.64e12;

/** A metadata field PVE sets (`type`, `hostname`, `job-id`): a string when present. */
const field = z.string().max(1024, "expected at most 1024 characters").optional();

/**
 * What a PVE webhook target sends with the body template of docs/notifications.md:
 * `{"title":"{{ escape title }}","message":"{{ escape message }}","severity":"{{ severity }}","timestamp":{{ timestamp }},"fields":{{ json fields }}}`.
 * Keys beyond these are ignored; PVE's own metadata fields are strings, others are kept as they come.
 */
export const PveNotificationSchema = z.object({
  title: z.string(),
  message: z.string(),
  /** info, notice, warning, error or unknown today; any word is accepted so a new PVE severity is not refused. */
  severity: z.string().min(1, "expected a severity such as info or error").max(64, "expected at most 64 characters"),
  /** Seconds since the epoch. */
  timestamp: z.number().min(0, "expected seconds since the epoch").max(MAX_TIMESTAMP_S, "expected seconds since the epoch"),
  fields: z.looseObject({ type: field, hostname: field, "job-id": field }),
});

export type PveNotification = z.infer<typeof PveNotificationSchema>;

/**
 * The `event_types` of the cluster's Home Assistant `event` entity (CONTRACT section 9). Home
 * Assistant refuses an event whose type is not listed, so `event_type` maps the others to "other".
 */
export { EVENT_TYPES };
export type EventType = (typeof EVENT_TYPES)[number];

/** What is published on `B/bridge/event` (CONTRACT section 9), plus the `event_type` Home Assistant reads. */
export interface BridgeEvent {
  /** `fields.type` (vzdump, package-updates, fencing, replication, system-mail, …), else "other". */
  type: string;
  /** `type` when it is one of EVENT_TYPES, else "other": what the `event` entity fires. */
  event_type: EventType;
  severity: string;
  title: string;
  message: string;
  hostname: string | null;
  job_id: string | null;
  /** ISO-8601 UTC. */
  time: string;
}

/**
 * `reason` goes back to the sender and may quote the body (a JSON syntax error does);
 * `logReason` never does: it names the problem only.
 */
export type ParsedNotification = { ok: true; event: BridgeEvent } | { ok: false; reason: string; logReason: string };

/** The longest reason given back to the sender: enough to name the problem, never the whole body. */
const MAX_REASON = 300;
const MAX_LOGGED_REASON = 100;

/** Parses a webhook body into the event to publish, or says why it is not a PVE notification. */
export function parseNotification(body: string): ParsedNotification {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: clip(`the body is not JSON (${(error as Error).message}); use the body template of docs/notifications.md`), logReason: "the body is not JSON" };
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    const given = json === null ? "null" : Array.isArray(json) ? "an array" : typeof json;
    return { ok: false, reason: `the body is JSON but not an object (${given}); use the body template of docs/notifications.md`, logReason: `the body is ${given}, not an object` };
  }
  const parsed = PveNotificationSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`);
    // zod's messages name the expected and the received type, never the value: safe to log
    return { ok: false, reason: clip(`not a PVE notification: ${problems.join("; ")}`), logReason: clip(problems.join("; "), MAX_LOGGED_REASON) };
  }
  return { ok: true, event: toBridgeEvent(parsed.data) };
}

export function toBridgeEvent(notification: PveNotification): BridgeEvent {
  const { fields } = notification;
  const type = presentOr(fields.type, "other");
  return {
    type,
    event_type: (EVENT_TYPES as readonly string[]).includes(type) ? (type as EventType) : "other",
    severity: notification.severity,
    title: notification.title,
    message: notification.message,
    hostname: presentOr(fields.hostname, null),
    job_id: presentOr(fields["job-id"], null),
    time: new Date(notification.timestamp * 1000).toISOString(),
  };
}

/** An empty field is an absent one: PVE's templates render a missing value as "". */
function presentOr<T extends string | null>(value: string | undefined, fallback: T): string | T {
  return value === undefined || value === "" ? fallback : value;
}

function clip(text: string, max = MAX_REASON): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
