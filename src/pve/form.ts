import type { FormParams } from "./types.js";

/** A form for PVE (query string or POST body): undefined values left out. */
export function encodeForm(params: FormParams | undefined): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) form.set(key, String(value));
  return form.toString();
}

/** The content type of a POST body made by encodeForm. */
export function formHeaders(): Record<string, string> {
  return { "content-type": "application/x-www-form-urlencoded" };
}
