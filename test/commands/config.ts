import { ConfigSchema, parseHost, type Config } from "../../src/config/schema.js";

/** A daemon config built through the real schema, with `commands` overridden. */
export function testConfig(commands: Record<string, unknown> = {}, hosts: string[] = ["127.0.0.1"]): Config {
  const raw = ConfigSchema.parse({ proxmox: { hosts: hosts.join(","), user: "pve2mqtt@pve", password: "secret-password" }, commands });
  return {
    ...raw,
    proxmox: {
      ...raw.proxmox,
      hosts: hosts.map((host) => parseHost(host, 8006)!),
      fingerprint: [],
      user: "pve2mqtt@pve",
      auth: { kind: "password", password: "secret-password" },
    },
  };
}
