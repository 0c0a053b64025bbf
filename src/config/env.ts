import { type KeyNode, unknownKeyProblem } from "./keys.js";

export const ENV_PREFIX = "PVE2MQTT_";
/** Names the config file; not a config key. */
export const CONFIG_PATH_VARIABLE = "PVE2MQTT_CONFIG";

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export interface EnvOverrides {
  problems: string[];
  /** Dotted key path → the variable that set it, so errors can say where a value came from. */
  sources: Map<string, string>;
}

/**
 * Applies every `PVE2MQTT_<SECTION>__<KEY>` variable onto `raw` (environment beats file).
 * Key names are case-insensitive; an empty value removes the key, so the default applies.
 */
export function applyEnvOverrides(raw: PlainObject, env: NodeJS.ProcessEnv, tree: KeyNode): EnvOverrides {
  const problems: string[] = [];
  const sources = new Map<string, string>();
  const names = Object.keys(env)
    .filter((name) => name.toUpperCase().startsWith(ENV_PREFIX) && name.toUpperCase() !== CONFIG_PATH_VARIABLE)
    .sort();
  for (const name of names) {
    const value = env[name];
    if (value === undefined) continue;
    const parts = name.slice(ENV_PREFIX.length).toLowerCase().split("__");
    const resolved = resolveKeyPath(parts, tree);
    if ("problem" in resolved) {
      problems.push(`${name}: ${resolved.problem}`);
      continue;
    }
    const { path } = resolved;
    if (setAt(raw, path, value.trim() === "" ? undefined : value)) sources.set(path.join("."), name);
  }
  return { problems, sources };
}

function resolveKeyPath(parts: string[], tree: KeyNode): { path: string[] } | { problem: string } {
  let node = tree;
  const path: string[] = [];
  for (const part of parts) {
    if (node.kind !== "section") return { problem: `${path.join(".")} is a single value, it has no key "${part}"` };
    const child = node.keys.get(part);
    const where = path.length === 0 ? part : `${path.join(".")}.${part}`;
    if (part === "" || !child) return { problem: unknownKeyProblem(where, part, node.keys.keys()) };
    path.push(part);
    node = child;
  }
  if (node.kind === "section") {
    const example = [...node.keys.keys()][0] ?? "key";
    return { problem: `${path.join(".")} is a section; set its keys one by one, e.g. ${ENV_PREFIX}${[...path, example].join("__").toUpperCase()}` };
  }
  return { path };
}

/** Sets (or with `undefined`, removes) a nested key; returns false when a section on the way is not a mapping (the schema reports that). */
function setAt(raw: PlainObject, path: string[], value: unknown): boolean {
  let target = raw;
  for (const part of path.slice(0, -1)) {
    const next = target[part];
    if (next === undefined) target[part] = {};
    else if (!isPlainObject(next)) return false;
    target = target[part] as PlainObject;
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return true;
}
