import type { z } from "zod";
import { scheduleNote } from "../schedules/config.js";
import { formatPath, isSecretKey, type KeyNode, nodeAt, unknownKeyProblem } from "./keys.js";

type Issue = z.core.$ZodIssue & { input?: unknown };

const TYPE_NAMES: Record<string, string> = {
  array: "a list (YAML list, JSON array or comma-separated string)",
  boolean: "true or false",
  number: "a number",
  int: "a whole number",
  string: "a string",
  object: "a mapping of keys",
};

/** zod's own default messages; a schema's custom message (e.g. "expected user@realm!tokenname") is used as written. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too small|Too big|Unrecognized key)/;

function describeGiven(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "a mapping";
  return String(value);
}

function expectation(issue: Issue): string {
  if (!ZOD_DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((value) => String(value)).join(", ")}`;
    case "too_small":
      if (issue.origin === "string") return Number(issue.minimum) <= 1 ? "expected a non-empty value" : `expected at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `expected at least ${issue.minimum} item(s)`;
      return `expected a number ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `expected at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `expected at most ${issue.maximum} item(s)`;
      return `expected a number ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/** Turns zod issues into one readable line each: key path, what was expected, what was given (secrets hidden). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], tree: KeyNode, sources: Map<string, string>, raw?: unknown): string[] {
  const problems: string[] = [];
  for (const issue of issues as readonly Issue[]) {
    if (issue.code === "unrecognized_keys") {
      const section = nodeAt(tree, issue.path as (string | number)[]);
      const known = section?.kind === "section" ? [...section.keys.keys()] : [];
      for (const key of issue.keys) problems.push(unknownKeyProblem(`${formatPath([...issue.path, key])}${scheduleNote(issue.path, raw)}`, key, known));
      continue;
    }
    const path = formatPath(issue.path);
    const secret = issue.path.some((part) => typeof part === "string" && isSecretKey(part));
    const given = secret ? "(hidden)" : describeGiven(issue.input);
    const required = issue.code === "invalid_type" && issue.input === undefined;
    const what = required ? `required, ${expectation(issue)}` : `${expectation(issue)}, given: ${given}`;
    problems.push(`${path}${scheduleNote(issue.path, raw)}${sourceNote(issue.path, sources)}: ${what}`);
  }
  return problems;
}

function sourceNote(path: readonly PropertyKey[], sources: Map<string, string>): string {
  const keys = path.filter((part): part is string => typeof part === "string");
  for (let length = keys.length; length > 0; length--) {
    const variable = sources.get(keys.slice(0, length).join("."));
    if (variable) return ` (from ${variable})`;
  }
  return "";
}
