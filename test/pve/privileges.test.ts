import { describe, expect, it } from "vitest";
import { describeFeatures } from "../../src/pve/privileges.js";

const byFeature = (perms: Parameters<typeof describeFeatures>[0]) =>
  Object.fromEntries(describeFeatures(perms).map((check) => [check.feature, check]));

describe("describeFeatures", () => {
  it("an empty map (privsep token without ACL) misses every feature", () => {
    const checks = describeFeatures({});
    expect(checks.map((check) => check.feature)).toEqual(["read inventory", "guest IPs", "power", "snapshots", "backups", "node power", "disks and ZFS pools", "pending updates"]);
    expect(checks.every((check) => !check.ok && check.missing.length > 0)).toBe(true);
  });

  it("tests presence, not the propagate flag", () => {
    const checks = byFeature({
      "/": { "Sys.Audit": 0, "VM.Audit": 0, "Datastore.Audit": 0, "VM.PowerMgmt": 0 },
    });
    expect(checks["read inventory"]).toEqual({ feature: "read inventory", ok: true, missing: [] });
    expect(checks.power!.ok).toBe(true);
    expect(checks.snapshots).toEqual({ feature: "snapshots", ok: false, missing: ["VM.Snapshot"] });
  });

  it("needs Sys.Audit on / itself for the cluster status", () => {
    const checks = byFeature({ "/nodes/pve1": { "Sys.Audit": 1 }, "/vms": { "VM.Audit": 1 }, "/storage": { "Datastore.Audit": 1 } });
    expect(checks["read inventory"]).toEqual({ feature: "read inventory", ok: false, missing: ["Sys.Audit on /"] });
  });

  it("guest IPs: VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)", () => {
    expect(byFeature({ "/vms": { "VM.Monitor": 1 } })["guest IPs"]!.ok).toBe(true);
    expect(byFeature({ "/vms/100": { "VM.GuestAgent.Audit": 1 } })["guest IPs"]!.ok).toBe(true);
    expect(byFeature({ "/vms": { "VM.Audit": 1 } })["guest IPs"]).toEqual({
      feature: "guest IPs",
      ok: false,
      missing: ["VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)"],
    });
  });

  it("backups need VM.Backup and Datastore.AllocateSpace; node power Sys.PowerMgmt", () => {
    const checks = byFeature({ "/vms": { "VM.Backup": 1 }, "/nodes": { "Sys.PowerMgmt": 1 } });
    expect(checks.backups).toEqual({ feature: "backups", ok: false, missing: ["Datastore.AllocateSpace"] });
    expect(checks["node power"]!.ok).toBe(true);
  });
});

describe("describeFeatures for the health data (CONTRACT 8)", () => {
  it("allows disks with Sys.Audit on a node, and updates only with Sys.Modify", () => {
    const auditor = Object.fromEntries(describeFeatures({ "/": { "Sys.Audit": 1, "VM.Audit": 1, "Datastore.Audit": 1 } }).map((check) => [check.feature, check]));
    expect(auditor["disks and ZFS pools"]).toMatchObject({ ok: true });
    expect(auditor["pending updates"]).toEqual({ feature: "pending updates", ok: false, missing: ["Sys.Modify on /nodes/<node>"] });
    const admin = Object.fromEntries(describeFeatures({ "/nodes/pve1": { "Sys.Audit": 1, "Sys.Modify": 1 } }).map((check) => [check.feature, check]));
    expect(admin["pending updates"]).toMatchObject({ ok: true });
  });
});
