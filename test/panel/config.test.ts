import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.js";

const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-panel-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(env: Record<string, string>) {
  const path = join(dir, "config.yaml");
  writeFileSync(path, 'proxmox:\n  hosts: "192.0.2.11"\n  user: u\n  password: p\n');
  return loadConfig({ path, env });
}

describe("http.token", () => {
  it("is read from the file or the environment", () => {
    expect(load({ PVE2MQTT_HTTP__TOKEN: "0123456789abcdef-long" }).http.token).toBe("0123456789abcdef-long");
    expect(load({}).http.token).toBeUndefined();
  });

  it("refuses a short token without echoing it", () => {
    let message = "";
    try {
      load({ PVE2MQTT_HTTP__TOKEN: "short-secret" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/http\.token/);
    expect(message).toMatch(/at least 16 characters/);
    expect(message).not.toContain("short-secret");
  });
});
