import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { load, MINIMAL, problemsOf } from "./helpers.js";

describe("credential rules", () => {
  it("refuses password together with password_file", () => {
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: u\n  password: p\n  password_file: /run/secrets/p\n`)).toEqual([
      "proxmox.password and proxmox.password_file are both set; keep only one of them",
    ]);
    expect(problemsOf(MINIMAL, { PVE2MQTT_MQTT__PASSWORD: "a", PVE2MQTT_MQTT__PASSWORD_FILE: "/x" })).toEqual([
      "mqtt.password and mqtt.password_file are both set; keep only one of them",
    ]);
  });

  it("refuses a user@realm with a different explicit realm, accepts the same one", () => {
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: x@pam\n  realm: pve\n  password: p\n`)).toEqual([
      'proxmox.realm: "x@pam" already names realm "pam" but proxmox.realm is "pve"; remove proxmox.realm or make them agree',
    ]);
    expect(load(`proxmox:\n  hosts: h\n  user: x@pam\n  realm: pam\n  password: p\n`).proxmox.user).toBe("x@pam");
    expect(load(`proxmox:\n  hosts: h\n  user: x\n  realm: pam\n  password: p\n`).proxmox.user).toBe("x@pam");
  });

  it("requires exactly one way to log in", () => {
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: u\n`)).toEqual([
      "proxmox: no credentials; set proxmox.user with proxmox.password (or password_file), or proxmox.token_id with proxmox.token_secret (or token_secret_file)",
    ]);
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: u\n  password: p\n  token_id: "u@pve!t"\n  token_secret: s\n`)[0]).toMatch(
      /^proxmox: both a password and an API token are set; use only one/,
    );
    expect(problemsOf(`proxmox:\n  hosts: h\n  password: p\n`)).toEqual([
      'proxmox.user: required with a password, e.g. "jeedom" (realm from proxmox.realm) or "jeedom@pve"',
    ]);
    expect(problemsOf(`proxmox:\n  hosts: h\n  token_id: "u@pve!t"\n`)).toEqual([
      "proxmox.token_secret: required with proxmox.token_id (or set proxmox.token_secret_file)",
    ]);
    expect(problemsOf(`proxmox:\n  hosts: h\n  token_secret: s\n`)).toEqual(['proxmox.token_id: required with a token secret, e.g. "jeedom@pve!bridge"']);
  });

  it("accepts a user that matches the token's user, refuses one that does not", () => {
    expect(load(`proxmox:\n  hosts: h\n  user: bot\n  token_id: "bot@pve!t"\n  token_secret: s\n`).proxmox.user).toBe("bot@pve");
    expect(problemsOf(`proxmox:\n  hosts: h\n  user: root@pam\n  token_id: "bot@pve!t"\n  token_secret: s\n`)[0]).toBe(
      'proxmox.user: "root@pam" is not the token\'s user "bot@pve"; remove proxmox.user (the token names its user)',
    );
  });
});

describe("readable errors", () => {
  it("names every wrong key at once: path, what was expected, what was given", () => {
    const yaml = `
proxmox:
  hosts: "pve1,ftp://x"
  user: u
  password: p
  port: abc
  timeout: -1
  verify_tls: maybe
  token_id: bad
language: xx
mqtt:
  url: http://broker
commands:
  allow: start,fly
poll: 5
`;
    const problems = problemsOf(yaml);
    expect(problems).toEqual(
      expect.arrayContaining([
        'proxmox.hosts[1]: expected host, host:port or https://host:port, given: "ftp://x"',
        'proxmox.port: expected a number, given: "abc"',
        "proxmox.timeout: expected a number > 0, given: -1",
        'proxmox.verify_tls: expected true or false, given: "maybe"',
        'proxmox.token_id: expected user@realm!tokenname, given: "bad"',
        'language: expected one of en, fr, de, given: "xx"',
        'mqtt.url: expected mqtt://host:port, mqtts://, ws:// or wss://, given: "http://broker"',
        'commands.allow[1]: expected one of start, shutdown, stop, reboot, suspend, resume, snapshot, snapshot_delete, backup, rollback, given: "fly"',
        "poll: expected a mapping of keys, given: 5",
      ]),
    );
    // the mix of password and token_id is reported in the same error
    expect(problems.some((problem) => problem.startsWith("proxmox: both a password and an API token"))).toBe(true);
    expect(problems).toHaveLength(10);
  });

  it("puts one problem per line in the message", () => {
    try {
      load(`proxmox:\n  hosts: h\n  user: u\n  password: p\n  port: 0\nlanguage: xx\n`);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message.split("\n")).toEqual((error as ConfigError).problems);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it("says a missing required key is required", () => {
    expect(problemsOf(`proxmox:\n  user: u\n  password: p\n`)).toEqual(["proxmox.hosts: required, expected a list (YAML list, JSON array or comma-separated string)"]);
    expect(problemsOf(`proxmox:\n  hosts: ""\n  user: u\n  password: p\n`)).toEqual(['proxmox.hosts: expected at least one host, given: a list']);
  });

  it("never echoes a secret's value", () => {
    const problems = problemsOf(`proxmox:\n  hosts: h\n  user: u\n  password: ["hunter2"]\nmqtt:\n  password: 42\n`);
    expect(problems).toEqual([
      "proxmox.password: expected a string, given: (hidden)",
      "mqtt.password: expected a string, given: (hidden)",
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("names unknown keys, with a suggestion when one is close", () => {
    expect(problemsOf(`${MINIMAL}  pasword: x\nmqtt:\n  base_topc: a\n  zzzzzz: 1\nhomeassistant:\n  enabled: true\nextra: 1\n`)).toEqual([
      "proxmox.pasword: unknown key (did you mean password?)",
      "mqtt.base_topc: unknown key (did you mean base_topic?)",
      "mqtt.zzzzzz: unknown key",
      "extra: unknown key",
    ]);
  });
});
