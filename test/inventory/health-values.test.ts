import { describe, expect, it } from "vitest";
import { hasCephStorage, toCephHealth, toHaHealth } from "../../src/inventory/cluster-health.js";
import { diskHealth, smartTemperature, toDiskInfo, toDiskInfos, wearoutUsed } from "../../src/inventory/disks.js";
import { toUpdatesInfo } from "../../src/inventory/updates.js";
import { poolHasProblem, toZfsPoolInfo } from "../../src/inventory/zfs.js";
import type { DiskRow, DiskSmart } from "../../src/pve/health-schemas.js";

/** disks/list rows as PVE 8 sends them (whole disks, then with include-partitions=1 a partition). */
const SSD: DiskRow = { devpath: "/dev/sda", type: "ssd", size: 500107862016, model: "CT500MX500SSD1", serial: "2039E4C5A1B", vendor: "ATA     ", wwn: "0x500a0751e4c5a1b0", health: "PASSED", wearout: 98, rpm: 0, used: "LVM" };
const HDD: DiskRow = { devpath: "/dev/sdb", type: "hdd", size: 4000787030016, model: "ST4000VN008-2DR166", serial: "ZDH1A2B3", vendor: "ATA", health: "FAILED!", wearout: "N/A", rpm: 5980, used: "ZFS" };
const NVME: DiskRow = { devpath: "/dev/nvme0n1", type: "nvme", size: 1000204886016, model: "Samsung SSD 980 PRO 1TB", serial: "S5GXNF0R123456", health: "PASSED", wearout: 97, rpm: 0, used: "ZFS" };
const USB: DiskRow = { devpath: "/dev/sdc", type: "usb", size: 2000398934016, model: "Elements_25A3", serial: "57583631", vendor: "WD", health: "UNKNOWN", wearout: "N/A", rpm: 0 };
const PARTITION: DiskRow = { devpath: "/dev/sda1", parent: "/dev/sda", type: "partition", size: 1031168, used: "BIOS boot" };

const attr = (id: string, name: string, raw: string) => ({ id, name, raw, value: 67, normalized: 67, worst: 48, threshold: 0, fail: "-", flags: "-O---K" });
const ATA_194: DiskSmart = { health: "PASSED", type: "ata", attributes: [attr("  1", "Raw_Read_Error_Rate", "0"), attr("194", "Temperature_Celsius", "33 (Min/Max 18/52)")] };
const ATA_190: DiskSmart = { health: "PASSED", type: "ata", attributes: [attr("190", "Airflow_Temperature_Cel", "30")] };
const ATA_BOTH: DiskSmart = { health: "PASSED", type: "ata", attributes: [attr("190", "Airflow_Temperature_Cel", "29"), attr("194", "Temperature_Celsius", "35 (0 18 0 0 0)")] };
const NVME_TEXT: DiskSmart = { health: "PASSED", type: "text", attributes: [], wearout: 97, text: "Critical Warning:                   0x00\nTemperature:                        41 Celsius\nAvailable Spare:                    100%\nPercentage Used:                    3%\nTemperature Sensor 1:               44 Celsius\n" };
const SAS_TEXT: DiskSmart = { health: "OK", type: "text", attributes: [], text: "\nPercentage used endurance indicator: 0%\nCurrent Drive Temperature:     38 C\nDrive Trip Temperature:        70 C\n" };

describe("disks", () => {
  it("builds a disk from its list row and SMART answer", () => {
    expect(toDiskInfo("pve1", SSD, ATA_194)).toEqual({
      node: "pve1", device: "/dev/sda", name: "sda", model: "CT500MX500SSD1", serial: "2039E4C5A1B", vendor: "ATA", type: "ssd",
      size: 500107862016, health: "ok", smart: "PASSED", wearout: 2, temperature: 33, used: "LVM",
    });
    expect(toDiskInfo("pve2", HDD)).toMatchObject({ health: "failing", smart: "FAILED!", wearout: null, temperature: null, used: "ZFS" });
    expect(toDiskInfo("pve1", NVME, NVME_TEXT)).toMatchObject({ name: "nvme0n1", type: "nvme", vendor: null, wearout: 3, temperature: 41 });
    expect(toDiskInfo("pve1", USB, { health: "UNKNOWN", attributes: [] })).toMatchObject({ type: "usb", health: "unknown", temperature: null, used: null });
  });

  it("leaves partitions out", () => {
    expect(toDiskInfos("pve1", [SSD, PARTITION, HDD]).map((disk) => disk.device)).toEqual(["/dev/sda", "/dev/sdb"]);
    expect(toDiskInfos("pve1", [{ devpath: "/dev/nvme0n1p1", parent: "/dev/nvme0n1" }])).toEqual([]);
  });

  it("reads health words: PASSED and OK are ok, FAILED (smartctl prints FAILED!) failing, anything else unknown", () => {
    expect(["PASSED", "OK", "ok", "FAILED!", "FAILED", "UNKNOWN", "SMART Disabled", "", undefined].map(diskHealth)).toEqual([
      "ok", "ok", "ok", "failing", "failing", "unknown", "unknown", "unknown", "unknown",
    ]);
  });

  it("shows wearout as the web UI does: 100 − percent left, one decimal; N/A is null", () => {
    expect([98, 100, 0, 97.5, "N/A", "83", undefined, 120, -1].map(wearoutUsed)).toEqual([2, 0, 100, 2.5, null, 17, null, null, null]);
  });

  it("reads the temperature from attribute 194, else 190, else the NVMe or SAS text", () => {
    expect(smartTemperature(ATA_194)).toBe(33);
    expect(smartTemperature(ATA_190)).toBe(30);
    expect(smartTemperature(ATA_BOTH)).toBe(35);
    expect(smartTemperature(NVME_TEXT)).toBe(41);
    expect(smartTemperature(SAS_TEXT)).toBe(38);
    expect(smartTemperature({ health: "PASSED", type: "ata", attributes: [attr("  9", "Power_On_Hours", "39468")] })).toBeNull();
    expect(smartTemperature({ health: "PASSED", type: "ata", attributes: [attr("194", "Temperature_Celsius", "0x0a0b0c0d0e0f")] })).toBeNull();
    expect(smartTemperature(null)).toBeNull();
  });

  it("rounds a fractional size and knows an unexpected type as unknown", () => {
    expect(toDiskInfo("pve1", { devpath: "/dev/vda", type: "virtio", size: 1234.6 })).toMatchObject({ type: "unknown", size: 1235, model: null, smart: null, health: "unknown" });
  });
});

describe("ZFS pools", () => {
  it("derives used %, free and the problem flag", () => {
    const pool = toZfsPoolInfo("pve1", { name: "rpool", size: 996432412672, alloc: 301513654272, free: 694918758400, frag: 12, dedup: 1, health: "ONLINE" });
    expect(pool).toEqual({ node: "pve1", pool: "rpool", health: "ONLINE", size: 996432412672, used: 301513654272, free: 694918758400, used_percent: 30.3, fragmentation: 12, dedup: 1 });
    expect(poolHasProblem(pool)).toBe(false);
    const degraded = toZfsPoolInfo("pve2", { name: "tank", size: 1000, alloc: 999, dedup: 1.25, health: "DEGRADED" });
    expect(degraded).toMatchObject({ free: 1, used_percent: 99.9, dedup: 1.25, fragmentation: null });
    expect(poolHasProblem(degraded)).toBe(true);
    expect(toZfsPoolInfo("pve3", { name: "empty", size: 0, alloc: 0 })).toMatchObject({ used_percent: null, health: null });
    expect(poolHasProblem(toZfsPoolInfo("pve3", { name: "x" }))).toBe(true);
  });
});

describe("updates", () => {
  const rows = [
    { Package: "pve-manager", Version: "8.2.5", OldVersion: "8.2.4", Origin: "Proxmox" },
    { Package: "proxmox-kernel-helper", Version: "8.1.1", Origin: "Proxmox" },
    { Package: "libssl3", Version: "3.0.15-1~deb12u1", Origin: "Debian" },
  ];

  it("counts the packages, those from Proxmox, and the pve-manager version an upgrade installs", () => {
    expect(toUpdatesInfo(rows, "8.2.4")).toEqual({ count: 3, proxmox_count: 2, update_version: "8.2.5", summary: "3 updates, 2 from Proxmox" });
  });

  it("gives the current version when pve-manager is not among them, and null everything when the list cannot be read", () => {
    expect(toUpdatesInfo(rows.slice(2), "8.2.4")).toMatchObject({ count: 1, update_version: "8.2.4", summary: "1 update, 0 from Proxmox" });
    expect(toUpdatesInfo([], "8.2.4")).toEqual({ count: 0, proxmox_count: 0, update_version: "8.2.4", summary: "Up to date" });
    expect(toUpdatesInfo(null, "8.2.4")).toEqual({ count: null, proxmox_count: null, update_version: null, summary: null });
  });
});

describe("HA and Ceph", () => {
  const pve8 = [
    { id: "quorum", type: "quorum", node: "pve1", status: "OK", quorate: 1 as const },
    { id: "master", type: "master", node: "pve2", status: "pve2 (active, Tue Jul 30 10:00:00 2024)", timestamp: 1722333600 },
    { id: "lrm:pve1", type: "lrm", node: "pve1", status: "pve1 (idle, Tue Jul 30 10:00:01 2024)", timestamp: 1722333601 },
    { id: "service:vm:104", type: "service", sid: "vm:104", node: "pve3", state: "started", status: "vm:104 (pve3, started)" },
  ];

  it("takes the quorum entry's status, and PVE 9's armed-state from the fencing entry", () => {
    expect(toHaHealth(pve8)).toEqual({ ha_status: "OK", ha_armed: null });
    const pve9 = [...pve8, { id: "fencing", type: "fencing", node: "pve2", status: "armed (CRM watchdog active)", "armed-state": "armed" }];
    expect(toHaHealth(pve9)).toEqual({ ha_status: "OK", ha_armed: "armed" });
    expect(toHaHealth([{ id: "quorum", type: "quorum", status: "No quorum on node 'pve1'!", quorate: 0 }])).toEqual({ ha_status: "No quorum on node 'pve1'!", ha_armed: null });
    expect(toHaHealth(null)).toEqual({ ha_status: null, ha_armed: null });
  });

  it("reads Ceph only with an rbd or cephfs storage, and its health when it answers", () => {
    expect(hasCephStorage(["dir", "lvmthin", "nfs"])).toBe(false);
    expect(hasCephStorage(["dir", "rbd"])).toBe(true);
    expect(hasCephStorage(["cephfs", null])).toBe(true);
    expect(toCephHealth({ health: { status: "HEALTH_WARN" } })).toBe("HEALTH_WARN");
    expect(toCephHealth({ health: { status: "HEALTH_UNKNOWN_NEW" } })).toBeNull();
    expect(toCephHealth(null)).toBeNull();
  });
});
