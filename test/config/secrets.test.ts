import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { load, problemsOf, tempDir } from "./helpers.js";

function secretFile(content: string): string {
  const path = join(tempDir(), "secret");
  writeFileSync(path, content);
  return path;
}

describe("secrets from *_file keys", () => {
  it("reads proxmox.password_file, trimming the trailing newline only", () => {
    const path = secretFile("  pass word \n");
    const config = load(`proxmox:\n  hosts: h\n  user: u\n  password_file: ${path}\n`);
    expect(config.proxmox.auth).toEqual({ kind: "password", password: "  pass word " });
  });

  it("reads proxmox.token_secret_file and takes the user from token_id", () => {
    const path = secretFile("0b1c-uuid\r\n");
    const config = load(`proxmox:\n  hosts: h\n  token_id: "bot@pam!bridge"\n  token_secret_file: ${path}\n`);
    expect(config.proxmox.auth).toEqual({ kind: "token", tokenId: "bot@pam!bridge", secret: "0b1c-uuid" });
    expect(config.proxmox.user).toBe("bot@pam");
  });

  it("reads mqtt.password_file, also when set from the environment", () => {
    const path = secretFile("mqtt-pass\n");
    const config = load(undefined, {
      PVE2MQTT_PROXMOX__HOSTS: "h",
      PVE2MQTT_PROXMOX__USER: "u",
      PVE2MQTT_PROXMOX__PASSWORD: "p",
      PVE2MQTT_MQTT__USERNAME: "bridge",
      PVE2MQTT_MQTT__PASSWORD_FILE: path,
    });
    expect(config.mqtt.password).toBe("mqtt-pass");
    expect(config.mqtt.username).toBe("bridge");
  });

  it("names the key and the path of an unreadable file", () => {
    const missing = join(tempDir(), "missing");
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: u\n  password_file: ${missing}\n`)).toEqual([
      `proxmox.password_file: cannot read "${missing}" (ENOENT); check the path and that the daemon's user may read it`,
    ]);
    const empty = secretFile("\n");
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: u\n  password_file: ${empty}\n`)).toEqual([`proxmox.password_file: "${empty}" is empty; put the secret in it`]);
  });
});
