import { PveForbiddenError, PveHttpError, PveResponseError } from "./errors.js";
import type { RawResponse } from "./transport.js";

/** Turns one raw answer into its `data`, or throws PVE's own error text. */
export function readData(path: string, response: RawResponse): unknown {
  return readEnvelope(path, response).data;
}

/** The whole answer: `data` and the keys PVE sets beside it (a task log's `total`). */
export function readEnvelope(path: string, response: RawResponse): { data: unknown } & Record<string, unknown> {
  if (response.status < 200 || response.status >= 300) throw toHttpError(path, response);
  const json = parseJson(path, response.body);
  if (typeof json !== "object" || json === null || !("data" in json)) {
    throw new PveResponseError(path, `response from ${path} has no "data" key`);
  }
  return json as { data: unknown } & Record<string, unknown>;
}

/**
 * PVE 8.2 sends the error text only in the reason phrase (body `{"data":null}`); 8.3+ also puts it
 * in the body's `message`. A 400 from the parameter checks adds `errors: {param: why}`.
 */
export function toHttpError(path: string, response: RawResponse): PveHttpError {
  let body: unknown = null;
  try {
    body = response.body.length > 0 ? JSON.parse(response.body.toString("utf8")) : null;
  } catch {
    body = null;
  }
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const bodyMessage = typeof fields.message === "string" ? fields.message.trim() : "";
  const message = bodyMessage !== "" ? bodyMessage : response.statusMessage.trim();
  if (response.status === 403) return new PveForbiddenError(message, path, stringMap(fields.errors));
  return new PveHttpError(response.status, message, path, stringMap(fields.errors));
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, why]) => [key, String(why).trim()] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function parseJson(path: string, body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new PveResponseError(path, `response from ${path} is not valid JSON (${body.length} bytes)`);
  }
}
