import { readFileSync } from "node:fs";
import { load as parseYaml, YAMLException } from "js-yaml";
import { ConfigError } from "./errors.js";
import { isPlainObject, type PlainObject } from "./env.js";

/** A key written without a value (`cluster_name:`) means the same as leaving it out. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  const result: PlainObject = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) result[key] = withoutNulls(child);
  return result;
}

/**
 * Reads and parses a YAML config file. An empty file (or one with only comments) is `{}`.
 * Returns undefined when the file does not exist, so the caller decides whether that is fine.
 */
export function readConfigFile(path: string): PlainObject | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new ConfigError([`${path}: cannot read the config file (${code ?? String(error)}); check its path and permissions`]);
  }
  if (text.trim() === "") return {};
  let document: unknown;
  try {
    document = parseYaml(text, { filename: path });
  } catch (error) {
    if (error instanceof YAMLException) {
      if (!error.mark) return {}; // js-yaml's "the input is empty": a file of comments only
      throw new ConfigError([`${path}: YAML syntax error at line ${error.mark.line + 1}, column ${error.mark.column + 1}: ${error.reason}`]);
    }
    throw error;
  }
  if (document === null || document === undefined) return {};
  if (!isPlainObject(document)) {
    throw new ConfigError([`${path}: expected a YAML mapping of sections (proxmox:, mqtt:, …), given: ${Array.isArray(document) ? "a list" : JSON.stringify(document)}`]);
  }
  return withoutNulls(document) as PlainObject;
}
