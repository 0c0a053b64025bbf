import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { loadConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test. */
export function tempDir(): string {
  const directory = mkdtempSync(join(tmpdir(), "pve2mqtt-config-"));
  directories.push(directory);
  return directory;
}

/** Writes `config.yaml` (when given) into a fresh directory and loads it with only `env` as the environment. */
export function load(yaml: string | undefined, env: Record<string, string> = {}): Config {
  const cwd = tempDir();
  if (yaml !== undefined) writeFileSync(join(cwd, "config.yaml"), yaml);
  return loadConfig({ cwd, env });
}

/** The problems of the ConfigError `load` throws; fails when it does not throw one. */
export function problemsOf(yaml: string | undefined, env: Record<string, string> = {}): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError, the config loaded");
}

export const MINIMAL = `
proxmox:
  hosts: 192.0.2.11
  user: jeedom
  password: s3cret
`;
