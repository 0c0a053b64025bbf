import { describe, expect, it } from "vitest";
import { parseCommand, type DeviceRef, type ParseContext, type ParseResult } from "../../src/commands/parse.js";
import { testConfig } from "./config.js";

const qemu: DeviceRef = { kind: "qemu", vmid: 100 };
const lxc: DeviceRef = { kind: "lxc", vmid: 200 };
const node: DeviceRef = { kind: "node", node: "pve1" };
const storage: DeviceRef = { kind: "storage", node: "pve1", storage: "local" };
const bridge: DeviceRef = { kind: "bridge" };

const fixedNow = new Date("2024-05-01T08:09:10.123Z");
const storagesByNode: Record<string, string[]> = { pve1: ["local", "nas"], pve2: ["nas"] };
const context: ParseContext = { backupStorages: (n: string) => storagesByNode[n] ?? [], now: () => fixedNow, node: "pve1" };

function parse(device: DeviceRef, payload: string | Buffer, commands: Record<string, unknown> = {}, ctx = context): ParseResult {
  return parseCommand(device, typeof payload === "string" ? Buffer.from(payload) : payload, testConfig(commands), ctx);
}

function okCommand(result: ParseResult) {
  if (!result.ok) throw new Error(`expected ok, got error: ${result.error}`);
  return result.command;
}

const deepJson = `{"action":"start","x":${"[".repeat(50)}${"]".repeat(50)}}`;

/** [description, device, payload, fragment the error must contain, commands config]. */
const badInputs: Array<[string, DeviceRef, string | Buffer, string | RegExp, Record<string, unknown>?]> = [
  ["misspelled action", qemu, "strat", "unknown action 'strat' for qemu (expected one of start, stop, shutdown"],
  ["upper-case action", qemu, "Start", /unknown action 'Start'.*actions are lower case/],
  ["empty payload", qemu, "   ", "empty payload"],
  ["malformed JSON", qemu, '{"action": "start",', "malformed JSON:"],
  ["JSON array", qemu, '["start"]', "a JSON array is not a command"],
  ["JSON number", qemu, "42", "a JSON number is not a command"],
  ["JSON null", qemu, "null", "a JSON null is not a command"],
  ["JSON true", qemu, "true", "a JSON boolean is not a command"],
  ["missing action", qemu, '{"id": 1}', "missing 'action'"],
  ["action not a string", qemu, '{"action": 5}', "'action' must be a string"],
  ["too large", qemu, Buffer.alloc(64 * 1024 + 1, 0x61), "payload too large (65537 bytes; the limit is 65536)"],
  ["invalid UTF-8", qemu, Buffer.from([0x73, 0x74, 0xff, 0xfe]), "not valid UTF-8"],
  ["binary", qemu, Buffer.from([0x73, 0x00, 0x01, 0x74]), "binary or control characters"],
  ["deep JSON", qemu, deepJson, "nested too deeply"],
  // refused before JSON.parse sees it (Node 24's parser leaks memory on deep invalid input)
  ["deep, unterminated JSON", qemu, `${'{"a":'.repeat(5000)}1`, "nested too deeply"],
  ["brackets inside strings do not count as nesting", qemu, `{"action":"start","x":"${"[".repeat(20)}"}`, "unknown parameter"],
  ["__proto__ key", qemu, '{"action": "start", "__proto__": {"polluted": 1}}', "forbidden key '__proto__'"],
  ["constructor key nested", qemu, '{"action": "backup", "x": {"constructor": 1}}', "forbidden key 'constructor'"],
  ["prototype key", qemu, '{"action": "start", "prototype": 1}', "forbidden key 'prototype'"],
  ["unknown parameter", qemu, '{"action": "shutdown", "force": true}', "unknown parameter 'force' for shutdown on qemu (expected timeout, force_stop)"],
  ["parameter on parameterless action", qemu, '{"action": "start", "timeout": 5}', "unknown parameter 'timeout' for start on qemu (start takes no parameters)"],
  ["timeout zero", qemu, '{"action": "shutdown", "timeout": 0}', "invalid 'timeout' '0': expected whole seconds from 1 to 7200"],
  ["timeout too large", qemu, '{"action": "reboot", "timeout": 7201}', "invalid 'timeout' '7201'"],
  ["timeout fractional", qemu, '{"action": "shutdown", "timeout": 1.5}', "invalid 'timeout' '1.5'"],
  ["timeout as string", qemu, '{"action": "shutdown", "timeout": "60"}', "invalid 'timeout' '60': expected whole seconds"],
  ["force_stop not a bool", qemu, '{"action": "shutdown", "force_stop": "maybe"}', "invalid 'force_stop' 'maybe': expected true or false"],
  ["snapshot name with space", qemu, '{"action": "snapshot", "name": "my snap"}', "invalid snapshot name 'my snap': must start with a letter, then letters, digits, _ or - (2–40 characters)"],
  ["snapshot name starting with digit", qemu, '{"action": "snapshot", "name": "1st"}', "invalid snapshot name '1st'"],
  ["snapshot name one character", qemu, '{"action": "snapshot", "name": "a"}', "invalid snapshot name 'a'"],
  ["snapshot name 41 characters", qemu, `{"action": "snapshot", "name": "a${"b".repeat(40)}"}`, "invalid snapshot name"],
  ["snapshot name current", qemu, '{"action": "snapshot", "name": "Current"}', "reserved by PVE for qemu"],
  ["snapshot name pending on qemu", qemu, '{"action": "snapshot", "name": "pending"}', "reserved by PVE for qemu"],
  ["snapshot name vzdump on lxc", lxc, '{"action": "snapshot", "name": "vzdump"}', "reserved by PVE for lxc"],
  ["snapshot description too long", qemu, JSON.stringify({ action: "snapshot", description: "x".repeat(8193) }), "invalid 'description'"],
  ["vmstate on lxc", lxc, '{"action": "snapshot", "vmstate": true}', "parameter 'vmstate' is only valid for qemu"],
  ["todisk on lxc", lxc, '{"action": "suspend", "todisk": true}', "parameter 'todisk' is only valid for qemu"],
  ["backup mode", qemu, '{"action": "backup", "mode": "fast"}', "invalid 'mode' 'fast': expected snapshot, suspend or stop"],
  ["backup compress", qemu, '{"action": "backup", "compress": "bzip2"}', "invalid 'compress' 'bzip2'"],
  ["backup storage without backup content", qemu, '{"action": "backup", "storage": "local-lvm"}', "storage 'local-lvm' does not hold backups on node pve1 (storages with backup content there: local, nas)"],
  ["backup notes without storage", qemu, '{"action": "backup", "notes": "weekly"}', "backup parameter 'notes' needs a storage"],
  ["backup protected without storage", qemu, '{"action": "backup", "protected": true}', "backup parameter 'protected' needs a storage"],
  ["backup control character", qemu, JSON.stringify({ action: "backup", storage: "nas", notes: "a\u0007b" }), "control characters are not allowed"],
  ["backup mailto not an address", qemu, '{"action": "backup", "mailto": "a@b@c"}', "invalid 'mailto'"],
  ["backup mailto and email together", qemu, '{"action": "backup", "mailto": "a@b.c", "email": "d@e.f"}', "either 'mailto' or its alias 'email'"],
  ["backup unknown JSON field", qemu, '{"action": "backup", "bwlimit": 10}', "unknown parameter 'bwlimit' for backup on qemu"],
  ["backup options unknown key", qemu, '{"action": "backup", "options": "storage=nas dumpdir=/tmp"}', "unknown backup option 'dumpdir' in 'options'"],
  ["backup options bare word", qemu, '{"action": "backup", "options": "storage=nas fast"}', "malformed entry 'fast' in 'options': expected key=value"],
  ["backup options repeated key", qemu, '{"action": "backup", "options": "mode=stop mode=suspend"}', "backup option 'mode' is given twice"],
  ["backup options not a string", qemu, '{"action": "backup", "options": {"storage": "nas"}}', "invalid 'options'"],
  ["backup remove invalid", qemu, '{"action": "backup", "remove": 2}', "invalid 'remove' '2'"],
  ["action not in allow list", qemu, "stop", "action 'stop' is not allowed: commands.allow is [start, snapshot]", { allow: ["start", "snapshot"] }],
  ["commands disabled", lxc, "start", "commands.enabled is false", { enabled: false }],
  ["node power off", node, "reboot", "set commands.node_power to true", {}],
  ["node power on but disabled", node, "stopall", "commands.enabled is false", { enabled: false, node_power: true }],
  ["node action on guest", qemu, "startall", "unknown action 'startall' for qemu"],
  ["guest action on node", node, "snapshot", "unknown action 'snapshot' for node (expected one of reboot, shutdown, startall, stopall, refresh)", { node_power: true }],
  ["stopall timeout invalid", node, '{"action": "stopall", "timeout": -1}', "invalid 'timeout' '-1'", { node_power: true }],
  ["startall with timeout", node, '{"action": "startall", "timeout": 10}', "unknown parameter 'timeout' for startall on node", { node_power: true }],
  ["action on storage", storage, "start", "unknown action 'start' for storage (expected one of refresh)"],
  ["action on bridge", bridge, "stop", "unknown action 'stop' for bridge"],
  ["refresh with parameter", qemu, '{"action": "refresh", "full": true}', "unknown parameter 'full' for refresh"],
  ["long garbage word is truncated", qemu, "x".repeat(500), /unknown action 'x{40}…' for qemu/],
];

describe("parseCommand refuses bad input", () => {
  it("has a table of at least 30 cases", () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(30);
  });

  it.each(badInputs)("%s", (_name, device, payload, fragment, commands) => {
    const result = parse(device, payload, commands ?? {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    if (typeof fragment === "string") expect(result.error).toContain(fragment);
    else expect(result.error).toMatch(fragment);
    expect(result.error.length).toBeLessThan(300);
  });

  it("echoes a readable id and the action with the error", () => {
    const result = parse(qemu, '{"action": "shutdown", "id": "req-1", "timeout": 0}');
    expect(result).toMatchObject({ ok: false, id: "req-1", action: "shutdown" });
    expect(parse(qemu, '{"action": "strat", "id": 7}')).toMatchObject({ ok: false, id: 7, action: "strat" });
  });

  it("drops an unreadable id and an unreadable action", () => {
    expect(parse(qemu, JSON.stringify({ action: "start", id: "x".repeat(129) }))).toMatchObject({ ok: true, id: null });
    expect(parse(qemu, '{"action": "start", "id": {"a": 1}}')).toMatchObject({ ok: true, id: null });
    expect(parse(qemu, '{"action": 5, "id": "a"}')).toMatchObject({ ok: false, id: "a", action: null });
    expect(parse(qemu, "not json {")).toMatchObject({ ok: false, action: null });
  });

  it("does not let __proto__ pollute anything", () => {
    parse(qemu, '{"action": "snapshot", "__proto__": {"name": "evil"}}');
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });
});

describe("parseCommand accepts good forms", () => {
  it("bare words, trimmed", () => {
    expect(okCommand(parse(qemu, " start\n"))).toEqual({ target: "guest", guest: { kind: "qemu", vmid: 100 }, action: "start", params: {} });
    for (const action of ["stop", "resume", "shutdown", "reboot", "suspend"]) {
      expect(okCommand(parse(lxc, action))).toMatchObject({ guest: { kind: "lxc", vmid: 200 }, action, params: {} });
    }
  });

  it("a quoted JSON string is a bare word", () => {
    expect(okCommand(parse(qemu, '"stop"'))).toMatchObject({ action: "stop" });
  });

  it("JSON with id", () => {
    const result = parse(qemu, '{"action": "start", "id": "abc"}');
    expect(result).toMatchObject({ ok: true, id: "abc", command: { action: "start" } });
    expect(parse(qemu, '{"action": "start", "id": 12}')).toMatchObject({ ok: true, id: 12 });
  });

  it("shutdown maps timeout and force_stop to PVE's forceStop", () => {
    expect(okCommand(parse(qemu, '{"action": "shutdown", "timeout": 120, "force_stop": true}')).params).toEqual({ timeout: 120, forceStop: 1 });
    expect(okCommand(parse(lxc, '{"action": "shutdown", "force_stop": false}')).params).toEqual({ forceStop: 0 });
    expect(okCommand(parse(qemu, '{"action": "reboot", "timeout": 7200}')).params).toEqual({ timeout: 7200 });
  });

  it("suspend todisk on qemu; lxc suspend and resume are accepted", () => {
    expect(okCommand(parse(qemu, '{"action": "suspend", "todisk": true}')).params).toEqual({ todisk: 1 });
    expect(okCommand(parse(lxc, "suspend"))).toMatchObject({ action: "suspend", params: {} });
    expect(okCommand(parse(lxc, "resume"))).toMatchObject({ action: "resume", params: {} });
  });

  it("snapshot with every parameter", () => {
    const command = okCommand(parse(qemu, '{"action": "snapshot", "name": "Before-update_2", "description": "line 1\\nline 2", "vmstate": true}'));
    expect(command.params).toEqual({ snapname: "Before-update_2", description: "line 1\nline 2", vmstate: 1 });
    expect(okCommand(parse(lxc, '{"action": "snapshot", "name": "pending"}')).params).toEqual({ snapname: "pending" });
    expect(okCommand(parse(qemu, '{"action": "snapshot", "name": "vzdump"}')).params).toEqual({ snapname: "vzdump" });
  });

  it("snapshot name generated from the clock in UTC", () => {
    expect(okCommand(parse(qemu, "snapshot")).params).toEqual({ snapname: "pve2mqtt_20240501_080910" });
    expect(okCommand(parse(lxc, '{"action": "snapshot", "description": "x"}')).params).toEqual({ snapname: "pve2mqtt_20240501_080910", description: "x" });
  });

  it("backup with every parameter and its PVE mapping", () => {
    const payload = {
      action: "backup",
      storage: "nas",
      mode: "stop",
      compress: "lzo",
      email: "admin@example.com, root@pam",
      mailnotification: "failure",
      remove: false,
      notes: "{{guestname}} weekly",
      protected: true,
    };
    expect(okCommand(parse(qemu, JSON.stringify(payload))).params).toEqual({
      storage: "nas",
      mode: "stop",
      compress: "lzo",
      mailto: "admin@example.com,root@pam",
      mailnotification: "failure",
      remove: 0,
      "notes-template": "{{guestname}} weekly",
      protected: 1,
    });
  });

  it("backup compress accepts 0 and 1 as numbers", () => {
    expect(okCommand(parse(qemu, '{"action": "backup", "compress": 0}')).params).toMatchObject({ compress: "0" });
    expect(okCommand(parse(qemu, '{"action": "backup", "compress": 1}')).params).toMatchObject({ compress: "1" });
  });

  it("bare backup takes the config defaults", () => {
    expect(okCommand(parse(qemu, "backup")).params).toEqual({ mode: "snapshot", compress: "zstd" });
    const withDefaults = { backup: { storage: "nas", mode: "suspend", compress: "gzip", remove: 1 } };
    expect(okCommand(parse(qemu, "backup", withDefaults)).params).toEqual({ storage: "nas", mode: "suspend", compress: "gzip", remove: 1 });
  });

  it("payload wins over defaults; JSON fields win over the options string", () => {
    const defaults = { backup: { storage: "local", mode: "suspend", compress: "gzip" } };
    const payload = '{"action": "backup", "options": "storage=nas mode=stop compress=lzo protected=1", "compress": "zstd"}';
    expect(okCommand(parse(qemu, payload, defaults)).params).toEqual({ storage: "nas", mode: "stop", compress: "zstd", protected: 1 });
  });

  it("Jeedom options string with quotes and the email alias", () => {
    const payload = JSON.stringify({ action: "backup", options: ' storage=nas  mode=snapshot notes="nightly {{vmid}}" email=a@b.c remove=0 ' });
    expect(okCommand(parse(lxc, payload)).params).toEqual({
      storage: "nas",
      mode: "snapshot",
      compress: "zstd",
      "notes-template": "nightly {{vmid}}",
      mailto: "a@b.c",
      remove: 0,
    });
  });

  it("checks the storage on the guest's node", () => {
    expect(parse(qemu, '{"action": "backup", "storage": "local"}', {}, { ...context, node: "pve2" })).toMatchObject({ ok: false, error: expect.stringContaining("'local' does not hold backups on node pve2") });
    expect(parse(qemu, '{"action": "backup", "storage": "nas"}', {}, { ...context, node: null })).toMatchObject({ ok: false, error: expect.stringContaining("node is unknown") });
  });

  it("a default storage from the config is checked too", () => {
    const result = parse(qemu, "backup", { backup: { storage: "local-lvm" } });
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("'local-lvm' does not hold backups") });
  });

  it("node actions only with node_power", () => {
    const on = { node_power: true };
    expect(okCommand(parse(node, "reboot", on))).toEqual({ target: "node", node: "pve1", action: "reboot", params: {} });
    expect(okCommand(parse(node, "shutdown", on))).toMatchObject({ action: "shutdown" });
    expect(okCommand(parse(node, "startall", on))).toMatchObject({ action: "startall", params: {} });
    expect(okCommand(parse(node, '{"action": "stopall", "timeout": 300}', on))).toMatchObject({ action: "stopall", params: { timeout: 300 } });
  });

  it("node_power is independent of commands.allow", () => {
    expect(parse(node, "reboot", { node_power: true, allow: ["start"] }).ok).toBe(true);
  });

  it("refresh is allowed on every device, even when commands are disabled", () => {
    for (const device of [qemu, lxc, node, storage, bridge]) {
      expect(okCommand(parse(device, "refresh", { enabled: false, allow: [] }))).toEqual({ target: "refresh", device, action: "refresh", params: {} });
    }
    expect(parse(qemu, '{"action": "refresh", "id": "r"}')).toMatchObject({ ok: true, id: "r" });
  });

  it("an allowed action passes when others are not allowed", () => {
    expect(parse(qemu, "snapshot", { allow: ["snapshot"] }).ok).toBe(true);
  });
});
