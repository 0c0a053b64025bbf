import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { loadConfig, resolveConfigPath } from "../../src/config/load.js";
import { load, MINIMAL, problemsOf, tempDir } from "./helpers.js";

describe("loadConfig defaults", () => {
  it("fills every default from a minimal file", () => {
    const config = load(MINIMAL);
    expect(config.proxmox.hosts).toEqual([{ host: "192.0.2.11", port: 8006, origin: "https://192.0.2.11:8006" }]);
    expect(config.proxmox.user).toBe("jeedom@pve");
    expect(config.proxmox.auth).toEqual({ kind: "password", password: "s3cret" });
    expect(config.proxmox.verify_tls).toBe(true);
    expect(config.proxmox.timeout).toBe(10);
    expect(config.proxmox.fingerprint).toEqual([]);
    expect(config.mqtt).toMatchObject({ base_topic: "pve2mqtt", reject_unauthorized: true });
    expect(config.mqtt.url).toBeUndefined();
    expect(config.embedded_broker).toEqual({ host: "127.0.0.1", port: 1883 });
    expect(config.homeassistant).toEqual({ enabled: true, discovery_prefix: "homeassistant", status_topic: "homeassistant/status", discovery: "entity" });
    expect(config.language).toBe("en");
    expect(config.poll.interval).toBe(30);
    expect(config.commands).toEqual({
      enabled: true,
      allow: ["start", "shutdown", "stop", "reboot", "suspend", "resume", "snapshot", "snapshot_delete", "backup"],
      node_power: false,
      backup: { mode: "snapshot", compress: "zstd" },
    });
    expect(config.filter).toEqual({ nodes: ["*"], exclude_vmids: [] });
    expect(config.http).toEqual({ host: "127.0.0.1" });
    expect(config.schedules).toEqual([]);
    expect(config.log.level).toBe("info");
  });

  it("parses host, host:port and https://host:port, with proxmox.port as the default port", () => {
    const config = load(`
proxmox:
  hosts: [pve1, "pve2:8443", "https://[2001:db8::1]:9000", "https://pve4"]
  port: 443
  user: a@pam
  password: x
`);
    expect(config.proxmox.hosts.map((host) => host.origin)).toEqual([
      "https://pve1:443",
      "https://pve2:8443",
      "https://[2001:db8::1]:9000",
      "https://pve4:443",
    ]);
    expect(config.proxmox.user).toBe("a@pam");
  });

  it("treats an empty file and a comments-only file as empty", () => {
    const env = { PVE2MQTT_PROXMOX__HOSTS: "h", PVE2MQTT_PROXMOX__USER: "u", PVE2MQTT_PROXMOX__PASSWORD: "p" };
    expect(load("", env).proxmox.hosts[0]!.host).toBe("h");
    expect(load("# nothing here\n", env).proxmox.user).toBe("u@pve");
  });

  it("treats a key without a value as absent", () => {
    const config = load(`${MINIMAL}  cluster_name:\nhttp:\n  port:\n`);
    expect(config.proxmox.cluster_name).toBeUndefined();
    expect(config.http.port).toBeUndefined();
  });

  it("upper-cases fingerprints and accepts a list of them", () => {
    const pin = Array.from({ length: 32 }, () => "ab").join(":");
    const config = load(`${MINIMAL}  fingerprint: "${pin},${pin.toUpperCase()}"\n`);
    expect(config.proxmox.fingerprint).toEqual([pin.toUpperCase(), pin.toUpperCase()]);
  });
});

describe("config file location", () => {
  it("prefers --config, then PVE2MQTT_CONFIG, then ./config.yaml", () => {
    expect(resolveConfigPath({ path: "a.yaml", cwd: "/x", env: { PVE2MQTT_CONFIG: "/b.yaml" } })).toEqual({ path: "/x/a.yaml", explicit: true });
    expect(resolveConfigPath({ cwd: "/x", env: { PVE2MQTT_CONFIG: "/b.yaml" } })).toEqual({ path: "/b.yaml", explicit: true });
    expect(resolveConfigPath({ cwd: "/x", env: {} })).toEqual({ path: "/x/config.yaml", explicit: false });
  });

  it("reads the file named by PVE2MQTT_CONFIG", () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "elsewhere.yaml"), MINIMAL.replace("192.0.2.11", "192.0.2.99"));
    const config = loadConfig({ cwd, env: { PVE2MQTT_CONFIG: "elsewhere.yaml" } });
    expect(config.proxmox.hosts[0]!.host).toBe("192.0.2.99");
  });

  it("accepts a missing ./config.yaml when the environment has everything", () => {
    const config = load(undefined, { PVE2MQTT_PROXMOX__HOSTS: "10.0.0.2", PVE2MQTT_PROXMOX__TOKEN_ID: "bot@pve!b", PVE2MQTT_PROXMOX__TOKEN_SECRET: "t" });
    expect(config.proxmox.user).toBe("bot@pve");
  });

  it("refuses a missing explicit file, naming it", () => {
    const cwd = tempDir();
    expect(() => loadConfig({ cwd, path: "nope.yaml", env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd, path: "nope.yaml", env: {} })).toThrow(`${join(cwd, "nope.yaml")}: config file not found`);
    expect(() => loadConfig({ cwd, env: { PVE2MQTT_CONFIG: "/nonexistent/pve2mqtt.yaml" } })).toThrow("/nonexistent/pve2mqtt.yaml");
  });

  it("reports a YAML syntax error with file, line and column", () => {
    const [problem, ...rest] = problemsOf("proxmox:\n  hosts: [a,\n  user: b: c\n");
    expect(rest).toEqual([]);
    expect(problem).toMatch(/config\.yaml: YAML syntax error at line 3, column \d+: /);
  });

  it("refuses a file that is not a mapping", () => {
    expect(problemsOf("- a\n- b\n")[0]).toMatch(/expected a YAML mapping of sections/);
  });
});
