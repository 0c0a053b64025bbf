import { decodePayload, quote } from "../commands/payload.js";

/*
 * `B/schedule/<name>/set`: `run` or {"action": "run"} runs the schedule now; {"enabled": false}
 * (or `disable`, `enable`) pauses or resumes it. Untrusted input: decoded with the same hardening
 * as commands, never throws.
 */

export type ScheduleRequest =
  | { ok: true; action: "run" | "enable" | "disable"; id: string | number | null }
  | { ok: false; error: string; id: string | number | null; action: string | null };

const EXPECTED = 'send run, {"action": "run"}, {"enabled": false} or {"enabled": true}';
const ACTIONS = ["run", "enable", "disable"] as const;

export function parseScheduleRequest(payload: Buffer): ScheduleRequest {
  const decoded = decodePayload(payload);
  if (!decoded.ok) {
    // {"enabled": …} carries no action; decodePayload has checked its size, text and nesting.
    if (!decoded.error.startsWith("missing 'action'")) return { ...decoded, error: `${decoded.error}` };
    const { enabled, id: _id, ...rest } = JSON.parse(payload.toString("utf8").replace(/^\uFEFF/, "")) as Record<string, unknown>;
    if (enabled === undefined) return { ok: false, error: `missing 'action' or 'enabled': ${EXPECTED}`, id: decoded.id, action: null };
    if (typeof enabled !== "boolean") return { ok: false, error: `'enabled' must be true or false, got ${quote(enabled)}`, id: decoded.id, action: null };
    const extra = Object.keys(rest);
    if (extra.length > 0) return { ok: false, error: `unknown key ${quote(extra[0])} (${EXPECTED})`, id: decoded.id, action: null };
    return { ok: true, action: enabled ? "enable" : "disable", id: decoded.id };
  }
  const action = ACTIONS.find((known) => known === decoded.action.toLowerCase());
  if (!action) return { ok: false, error: `unknown schedule request ${quote(decoded.action)}: ${EXPECTED}`, id: decoded.id, action: null };
  const extra = Object.keys(decoded.params);
  if (extra.length > 0) return { ok: false, error: `unknown parameter ${quote(extra[0])} for ${action} (${action} takes none)`, id: decoded.id, action };
  return { ok: true, action, id: decoded.id };
}
