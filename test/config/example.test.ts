import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";
import { keyTree, leafPaths } from "../../src/config/keys.js";
import { ConfigSchema } from "../../src/config/schema.js";

const EXAMPLE = fileURLToPath(new URL("../../config.example.yaml", import.meta.url));

/**
 * The dotted path of every key written in the example, commented out (`# key:`) or not, from its
 * indentation; keys of list items (`- key:`) are `list[].key`.
 */
function documentedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  const stack: { indent: number; key: string }[] = [];
  for (const line of text.split("\n")) {
    const match = /^(\s*)(?:#\s?(\s*))?(-\s+)?([a-z_]+):(?:\s|$)/.exec(line);
    if (!match) continue;
    const dash = match[1]!.length + (match[2]?.length ?? 0);
    const indent = dash + (match[3]?.length ?? 0);
    const itemStart = match[3] !== undefined;
    while (stack.length > 0 && stack[stack.length - 1]!.indent >= (itemStart ? dash + 1 : indent)) stack.pop();
    if (itemStart) stack.push({ indent: dash + 1, key: "[]" });
    stack.push({ indent, key: match[4]! });
    keys.add(stack.map((entry) => entry.key).join(".").replaceAll(".[]", "[]"));
  }
  return keys;
}

describe("config.example.yaml", () => {
  it("is a valid config once a password is given", () => {
    const config = loadConfig({ path: EXAMPLE, env: { PVE2MQTT_PROXMOX__PASSWORD: "example" } });
    expect(config.proxmox.hosts.map((host) => host.origin)).toEqual(["https://192.0.2.11:8006", "https://192.0.2.12:8006"]);
    expect(config.proxmox.user).toBe("jeedom@pve");
  });

  it("documents every key of the schema", () => {
    const documented = documentedKeys(readFileSync(EXAMPLE, "utf8"));
    const missing = leafPaths(keyTree(ConfigSchema)).filter((path) => !documented.has(path));
    expect(missing).toEqual([]);
  });

  it("documents no key that does not exist", () => {
    const prefixes = (path: string) => path.split(".").map((_, index, parts) => parts.slice(0, index + 1).join("."));
    const schemaKeys = new Set(leafPaths(keyTree(ConfigSchema)).flatMap(prefixes).flatMap((path) => [path, path.replace(/\[\]$/, "")]));
    const unknown = [...documentedKeys(readFileSync(EXAMPLE, "utf8"))].filter((path) => !schemaKeys.has(path));
    expect(unknown).toEqual([]);
  });
});
