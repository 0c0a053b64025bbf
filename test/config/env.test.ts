import { describe, expect, it } from "vitest";
import { load, MINIMAL, problemsOf } from "./helpers.js";

describe("environment overrides", () => {
  it("sets nested keys with PVE2MQTT_<SECTION>__<KEY>, and the environment beats the file", () => {
    const config = load(`${MINIMAL}language: de\n`, {
      PVE2MQTT_PROXMOX__HOSTS: "10.0.0.2,10.0.0.3",
      PVE2MQTT_LANGUAGE: "fr",
      PVE2MQTT_COMMANDS__BACKUP__STORAGE: "nas",
      PVE2MQTT_PROXMOX__VERIFY_TLS: "false",
      PVE2MQTT_POLL__INTERVAL: "15",
      PVE2MQTT_EMBEDDED_BROKER__PORT: "0",
      PVE2MQTT_HOMEASSISTANT__REMOVE_VANISHED_AFTER: "3600",
    });
    expect(config.embedded_broker.port).toBe(0);
    expect(config.homeassistant.remove_vanished_after).toBe(3600);
    expect(config.proxmox.hosts.map((host) => host.host)).toEqual(["10.0.0.2", "10.0.0.3"]);
    expect(config.language).toBe("fr");
    expect(config.commands.backup).toEqual({ storage: "nas", mode: "snapshot", compress: "zstd" });
    expect(config.proxmox.verify_tls).toBe(false);
    expect(config.poll.interval).toBe(15);
  });

  it("matches key names case-insensitively", () => {
    const config = load(MINIMAL, { PVE2MQTT_mqtt__Base_Topic: "pve_home", pve2mqtt_homeassistant__discovery: "device" });
    expect(config.mqtt.base_topic).toBe("pve_home");
    expect(config.homeassistant.discovery).toBe("device");
  });

  it("reads lists as comma-separated strings or JSON", () => {
    const comma = load(MINIMAL, { PVE2MQTT_COMMANDS__ALLOW: "start, stop", PVE2MQTT_FILTER__EXCLUDE_VMIDS: "9000,9001" });
    expect(comma.commands.allow).toEqual(["start", "stop"]);
    expect(comma.filter.exclude_vmids).toEqual([9000, 9001]);
    const json = load(MINIMAL, { PVE2MQTT_PROXMOX__HOSTS: '["a:1", "https://b:2"]', PVE2MQTT_FILTER__NODES: '["pve1","pve2"]' });
    expect(json.proxmox.hosts.map((host) => host.origin)).toEqual(["https://a:1", "https://b:2"]);
    expect(json.filter.nodes).toEqual(["pve1", "pve2"]);
  });

  it("removes a key when its variable is empty, so the default applies", () => {
    const config = load(`${MINIMAL}log:\n  level: debug\n`, { PVE2MQTT_LOG__LEVEL: "" });
    expect(config.log.level).toBe("info");
  });

  it("does not treat PVE2MQTT_CONFIG as a key", () => {
    expect(() => load(MINIMAL, { PVE2MQTT_CONFIG: "" })).not.toThrow();
  });

  it("refuses a variable naming an unknown key, with a suggestion", () => {
    expect(problemsOf(MINIMAL, { PVE2MQTT_PROXMOX__HOSST: "x" })).toEqual(["PVE2MQTT_PROXMOX__HOSST: proxmox.hosst: unknown key (did you mean hosts?)"]);
    expect(problemsOf(MINIMAL, { PVE2MQTT_NOPE: "x" })[0]).toMatch(/^PVE2MQTT_NOPE: nope: unknown key$/);
  });

  it("refuses a variable naming a section or going below a value", () => {
    expect(problemsOf(MINIMAL, { PVE2MQTT_COMMANDS__BACKUP: "nas" })[0]).toContain("commands.backup is a section; set its keys one by one, e.g. PVE2MQTT_COMMANDS__BACKUP__STORAGE");
    expect(problemsOf(MINIMAL, { PVE2MQTT_LANGUAGE__X: "fr" })[0]).toContain("language is a single value");
  });

  it("says which variable gave a bad value", () => {
    expect(problemsOf(MINIMAL, { PVE2MQTT_PROXMOX__VERIFY_TLS: "maybe" })).toEqual([
      'proxmox.verify_tls (from PVE2MQTT_PROXMOX__VERIFY_TLS): expected true or false, given: "maybe"',
    ]);
  });
});
