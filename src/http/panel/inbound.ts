import { z } from "zod";

/** A command from a browser or a script, ready to publish on `B/<topic>`. */
export type Inbound = { ok: true; topic: string; payload: string } | { ok: false; error: string; topic: string | null; id: unknown };

/** Far above any real command (the bridge's own limit is 64 kB), small enough to parse cheaply. */
export const MAX_MESSAGE_BYTES = 16 * 1024;

const DEVICE_SET_TOPIC = /^(?:(?:qemu|lxc)\/[1-9][0-9]{0,8}|node\/[a-z0-9_]{1,100}|storage\/[a-z0-9_]{1,100}\/[a-z0-9_]{1,100})\/set$/;

const Message = z
  .object({
    topic: z.string().max(300),
    payload: z.union([z.string().max(MAX_MESSAGE_BYTES), z.record(z.string(), z.unknown())]),
  })
  .strict();

export interface InboundContext {
  /** Whether a device's state topic (without the base) is known: commands go to known devices only. */
  known(deviceTopic: string): boolean;
  /** Why commands are refused altogether (a read-only panel), or null. */
  refusal: string | null;
}

/**
 * Checks one WebSocket message: `{"topic": "<device topic>/set", "payload": <command>}`. Pure and
 * never throws; a refusal names the problem. The bridge's command path validates the command itself.
 */
export function parseInbound(data: Buffer | string, context: InboundContext): Inbound {
  const size = typeof data === "string" ? Buffer.byteLength(data) : data.length;
  if (size > MAX_MESSAGE_BYTES) return refuse(`message too large (${size} bytes; the limit is ${MAX_MESSAGE_BYTES})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof data === "string" ? data : data.toString("utf8"));
  } catch {
    return refuse('malformed JSON: send {"topic": "<device topic>/set", "payload": <command>}');
  }
  const result = Message.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join(".") : "message";
    return refuse(`invalid ${where}: ${issue.message}; send {"topic": "<device topic>/set", "payload": "start" or {"action": "start"}}`, topicOf(parsed));
  }
  const { topic, payload } = result.data;
  const id = typeof payload === "object" ? (payload.id ?? null) : null;
  if (!DEVICE_SET_TOPIC.test(topic)) return { ok: false, error: `unknown topic '${topic.slice(0, 100)}': commands go to '<device topic>/set', e.g. 'qemu/100/set'`, topic, id };
  const device = topic.slice(0, -"/set".length);
  if (context.refusal) return { ok: false, error: context.refusal, topic, id };
  if (!context.known(device)) return { ok: false, error: `unknown device '${device}'`, topic, id };
  return { ok: true, topic, payload: typeof payload === "string" ? payload : JSON.stringify(payload) };
}

function refuse(error: string, topic: string | null = null): Inbound {
  return { ok: false, error, topic, id: null };
}

function topicOf(value: unknown): string | null {
  if (value && typeof value === "object" && "topic" in value && typeof value.topic === "string") return value.topic.slice(0, 300);
  return null;
}
