/*
 * Turns the raw bytes of a `/set` message into `{ action, id, params }`, or a readable error.
 * Untrusted input: nothing here may throw, and error texts never echo more than a short excerpt.
 */

export const MAX_PAYLOAD_BYTES = 64 * 1024;
const MAX_JSON_DEPTH = 8;
const MAX_ID_LENGTH = 128;
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const TOO_DEEP = `JSON nested too deeply (more than ${MAX_JSON_DEPTH} levels): send a flat object such as {"action": "start"}`;
/** C0 controls and DEL, apart from the whitespace JSON and humans use. */
const BINARY_CHARACTERS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export type DecodedPayload =
  | { ok: true; action: string; id: string | number | null; params: Record<string, unknown> }
  | { ok: false; error: string; id: string | number | null; action: string | null };

/** A short, printable excerpt of untrusted text for an error message. */
export function quote(value: unknown, max = 40): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  const printable = text.replace(/[\u0000-\u001F\u007F]/g, "?");
  return `'${printable.length > max ? `${printable.slice(0, max)}…` : printable}'`;
}

function readableId(value: unknown): string | number | null {
  if (typeof value === "string" && value.length <= MAX_ID_LENGTH) return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  return null;
}

/** Depth and forbidden keys, checked without recursion so that no input can exhaust the stack. */
function checkStructure(root: unknown): string | null {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: root, depth: 1 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_JSON_DEPTH) return TOO_DEEP;
    const entries = Array.isArray(value) ? value.map((item) => ["", item] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      if (FORBIDDEN_KEYS.has(key)) return `forbidden key ${quote(key)} in JSON payload`;
      pending.push({ value: child, depth: depth + 1 });
    }
  }
  return null;
}

function fail(error: string, id: string | number | null = null, action: string | null = null): DecodedPayload {
  return { ok: false, error, id, action };
}

const NOT_A_COMMAND = 'send an action word such as start, or JSON such as {"action": "start", "id": "42"}';

/**
 * Whether brackets nest deeper than `max`, outside strings: checked before JSON.parse, which then
 * never sees hostile nesting (Node 24's parser leaks memory on deeply nested invalid input, and a
 * command never needs more than a flat object).
 */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c /* \ */) i++;
      else if (char === 0x22 /* " */) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b /* { */ || char === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (char === 0x7d /* } */ || char === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}

function fromJson(text: string): DecodedPayload {
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return fail(TOO_DEEP);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return fail(`malformed JSON: ${reason.slice(0, 120)}`);
  }
  if (typeof value === "string") return fromWord(value.trim());
  if (Array.isArray(value)) return fail(`a JSON array is not a command: ${NOT_A_COMMAND}`);
  if (value === null || typeof value !== "object") return fail(`a JSON ${value === null ? "null" : typeof value} is not a command: ${NOT_A_COMMAND}`);
  const structureError = checkStructure(value);
  if (structureError) return fail(structureError);

  const { action, id, ...params } = value as Record<string, unknown>;
  const echoedId = readableId(id);
  if (action === undefined) return fail(`missing 'action': ${NOT_A_COMMAND}`, echoedId);
  if (typeof action !== "string") return fail(`'action' must be a string such as "start", got ${quote(action)}`, echoedId);
  return { ok: true, action: action.trim(), id: echoedId, params };
}

function fromWord(word: string): DecodedPayload {
  if (word === "") return fail(`empty payload: ${NOT_A_COMMAND}`);
  return { ok: true, action: word, id: null, params: {} };
}

/** Decodes a payload: size, UTF-8 and control characters first, then a bare word or a JSON object. */
export function decodePayload(payload: Buffer): DecodedPayload {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    return fail(`payload too large (${payload.length} bytes; the limit is ${MAX_PAYLOAD_BYTES})`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
  } catch {
    return fail("payload is not valid UTF-8 text: send an action word or JSON");
  }
  if (BINARY_CHARACTERS.test(text)) return fail("payload contains binary or control characters: send an action word or JSON");
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  const looksLikeJson = /^[{["\-0-9]/.test(trimmed) || ["true", "false", "null"].includes(trimmed);
  return looksLikeJson ? fromJson(trimmed) : fromWord(trimmed);
}
