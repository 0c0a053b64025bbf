import type { z } from "zod";
import type { Logger } from "../log.js";
import { PveResponseError } from "./errors.js";
import type { Rows } from "./types.js";

/**
 * Validation at the border. A list is validated row by row: a row that fails is skipped and
 * logged once per endpoint and field (not once per poll), and the rest of the answer is used.
 * A single object that fails is an error naming the path and the field.
 */
export class RowValidator {
  private readonly reported = new Set<string>();

  constructor(private readonly log: Logger) {}

  /**
   * @param endpoint the path template ("/nodes/{node}/qemu/{vmid}/snapshot"), so one bad field
   *   is reported once however many guests share it.
   * @param options.keep rows it refuses are dropped silently (e.g. resource types we do not know).
   * @param options.check a cheaper test that a row is valid for `schema` (e.g. zod's compiled
   *   `validate` of the row's own kind): a row it accepts is kept as PVE sent it (unknown keys
   *   included) instead of being rebuilt by zod. Only for schemas without transforms or defaults,
   *   whose output is their input. A row it refuses goes through `schema` (and its issue is logged).
   */
  rows<S extends z.ZodType>(
    schema: S,
    data: unknown,
    path: string,
    endpoint: string,
    options: { keep?: (row: unknown) => boolean; check?: (row: unknown) => boolean } = {},
  ): Rows<z.output<S>> {
    if (data === null || data === undefined) return { rows: [], skipped: 0 };
    if (!Array.isArray(data)) throw new PveResponseError(path, `response from ${path} is not a list`);
    const { keep, check } = options;
    const rows: z.output<S>[] = [];
    let skipped = 0;
    for (const row of data) {
      if (keep && !keep(row)) continue;
      if (check?.(row)) {
        rows.push(row as z.output<S>);
        continue;
      }
      const parsed = schema.safeParse(row);
      if (parsed.success) {
        rows.push(parsed.data);
        continue;
      }
      skipped += 1;
      const issue = describeIssue(parsed.error.issues[0], row);
      const key = `${endpoint} ${issue.field}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.log.warn(`skipping a row of ${endpoint}: ${issue.text}`);
      }
    }
    return { rows, skipped };
  }

  one<S extends z.ZodType>(schema: S, data: unknown, path: string): z.output<S> {
    const parsed = schema.safeParse(data);
    if (parsed.success) return parsed.data;
    const issue = describeIssue(parsed.error.issues[0], data);
    throw new PveResponseError(path, `response from ${path} is not as expected: ${issue.text}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue | undefined, input: unknown): { field: string; text: string } {
  if (!issue) return { field: "(row)", text: "(row): invalid" };
  const field = issue.path.length > 0 ? issue.path.map(String).join(".") : "(row)";
  if (issue.code === "invalid_type") {
    return { field, text: `${field}: expected ${issue.expected}, got ${typeName(valueAt(input, issue.path))}` };
  }
  return { field, text: `${field}: ${issue.message}` };
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
