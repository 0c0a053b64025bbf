import { describe, expect, it } from "vitest";
import { unknownGuest, type GuestInfo, type Inventory } from "../../src/inventory/types.js";
import { isScheduleSnapshot, scheduledSnapshotName, snapshotsBeyond } from "../../src/schedules/names.js";
import { parseScheduleRequest } from "../../src/schedules/requests.js";
import { readRetainedState, runResult } from "../../src/schedules/state.js";
import { missingVmids, resolveTargets, skipReason } from "../../src/schedules/targets.js";

describe("the snapshots a schedule makes and owns", () => {
  it("names them auto_<schedule>_<UTC YYYYMMDDHHMMSS>", () => {
    expect(scheduledSnapshotName("nightly", new Date("2024-05-01T02:03:04.567Z"))).toBe("auto_nightly_20240501020304");
  });

  it("owns exactly auto_<name>_ followed by 14 digits", () => {
    expect(isScheduleSnapshot("nightly", "auto_nightly_20240501020304")).toBe(true);
    for (const other of ["auto_nightly_db_20240501020304", "auto_nightly_2024050102030", "auto_nightly_202405010203045", "manual", "auto_nightly_", "Auto_nightly_20240501020304", "auto_nightly_2024050102030x"]) {
      expect(isScheduleSnapshot("nightly", other)).toBe(false);
    }
  });

  it("picks those beyond keep, oldest first, never another schedule's or a manual one", () => {
    const names = ["auto_nightly_20240503000000", "before_upgrade", "auto_nightly_20240501000000", "auto_nightly_db_20240101000000", "auto_nightly_20240502000000", "auto_nightly_20240504000000"];
    expect(snapshotsBeyond("nightly", names, 2)).toEqual(["auto_nightly_20240501000000", "auto_nightly_20240502000000"]);
    expect(snapshotsBeyond("nightly", names, 7)).toEqual([]);
    expect(snapshotsBeyond("nightly_db", names, 0)).toEqual(["auto_nightly_db_20240101000000"]);
  });
});

describe("targets, resolved from the inventory of the moment", () => {
  const guest = (kind: "qemu" | "lxc", vmid: number, node: string, status: GuestInfo["status"], tags: string[] = []): GuestInfo => ({ ...unknownGuest(kind, vmid, null, node), status, tags });
  const inventory: Inventory = {
    takenAt: 0,
    cluster: { name: "c", quorate: true, pveVersion: null },
    nodes: [],
    storages: [],
    guests: [guest("lxc", 300, "pve2", "running", ["Prod"]), guest("qemu", 100, "pve1", "running", ["prod", "db"]), guest("qemu", 101, "pve1", "stopped"), guest("lxc", 200, "pve2", "stopped", ["dev"])],
  };
  const vmids = (list: GuestInfo[]) => list.map((g) => g.vmid);

  it("selects by vmids, tags (any case), nodes or all, ordered by vmid", () => {
    expect(vmids(resolveTargets({ kind: "all" }, inventory))).toEqual([100, 101, 200, 300]);
    expect(vmids(resolveTargets({ kind: "vmids", vmids: [300, 101, 999] }, inventory))).toEqual([101, 300]);
    expect(vmids(resolveTargets({ kind: "tags", tags: ["prod"] }, inventory))).toEqual([100, 300]);
    expect(vmids(resolveTargets({ kind: "nodes", nodes: ["pve2"] }, inventory))).toEqual([200, 300]);
    expect(missingVmids({ kind: "vmids", vmids: [300, 999] }, inventory)).toEqual([999]);
  });

  it("skips a guest for an action that needs it running, and start of a running one", () => {
    const running = inventory.guests[1]!;
    const stopped = inventory.guests[2]!;
    for (const action of ["shutdown", "stop", "reboot", "suspend"] as const) {
      expect(skipReason(action, stopped)).toBe("it is not running (stopped)");
      expect(skipReason(action, running)).toBeNull();
    }
    expect(skipReason("start", running)).toMatch(/already running/);
    expect(skipReason("start", stopped)).toBeNull();
    expect(skipReason("resume", running)).toMatch(/not paused/);
    for (const action of ["snapshot", "backup"] as const) expect(skipReason(action, stopped)).toBeNull();
    expect(skipReason("snapshot", { ...running, status: "unknown" })).toMatch(/unknown/);
  });
});

describe("requests on B/schedule/<name>/set", () => {
  const parse = (text: string) => parseScheduleRequest(Buffer.from(text));

  it("reads run now, enable and disable in their forms", () => {
    expect(parse("run")).toEqual({ ok: true, action: "run", id: null });
    expect(parse('{"action": "run", "id": 7}')).toEqual({ ok: true, action: "run", id: 7 });
    expect(parse('{"enabled": false}')).toEqual({ ok: true, action: "disable", id: null });
    expect(parse('{"enabled": true, "id": "x"}')).toEqual({ ok: true, action: "enable", id: "x" });
    expect(parse("disable")).toEqual({ ok: true, action: "disable", id: null });
  });

  it("refuses anything else with a reason", () => {
    expect(parse('{"enabled": "no"}')).toMatchObject({ ok: false, error: "'enabled' must be true or false, got 'no'" });
    expect(parse('{"enabled": false, "when": 1}')).toMatchObject({ ok: false, error: expect.stringContaining("unknown key 'when'") });
    expect(parse("fly")).toMatchObject({ ok: false, error: expect.stringContaining("unknown schedule request 'fly'") });
    expect(parse('{"action": "run", "now": true}')).toMatchObject({ ok: false, error: "unknown parameter 'now' for run (run takes none)" });
    expect(parse("{}")).toMatchObject({ ok: false, error: expect.stringContaining("missing 'action' or 'enabled'") });
    expect(parse("{nope")).toMatchObject({ ok: false, error: expect.stringContaining("malformed JSON") });
    expect(parse("[".repeat(100))).toMatchObject({ ok: false });
  });
});

describe("state", () => {
  it("ok, partial, error from the guests' outcomes", () => {
    expect([runResult(3, 0), runResult(0, 0), runResult(2, 1), runResult(0, 2)]).toEqual(["ok", "ok", "partial", "error"]);
  });

  it("reads back what a retained state says, ignoring what it cannot read", () => {
    const retained = { enabled: false, last_run: "2024-05-01T02:00:00.000Z", last_result: "partial", guests_ok: 2, guests_failed: 1, last_error: "qemu/100: x" };
    expect(readRetainedState(Buffer.from(JSON.stringify(retained)))).toEqual({
      enabled: false,
      last: { at: "2024-05-01T02:00:00.000Z", result: "partial", guestsOk: 2, guestsFailed: 1, error: "qemu/100: x" },
    });
    expect(readRetainedState(Buffer.from('{"enabled": "no", "last_run": "yesterday", "last_result": "ok"}'))).toEqual({ enabled: null, last: null });
    expect(readRetainedState(Buffer.from("offline"))).toEqual({ enabled: null, last: null });
  });
});
