import type { SimDiskSpec, SimPoolSpec, SimUpdateSpec } from "./health.js";

const GB = 1000 ** 3;
const TB = 1000 ** 4;

const nvme = (serial: string, wearout: number, temperature: number): SimDiskSpec => ({
  devpath: "/dev/nvme0n1", type: "nvme", model: "Samsung SSD 980 PRO 1TB", serial, size: 1000204886016, health: "PASSED",
  wearout, rpm: 0, used: "ZFS", temperature, smart: "nvme",
});

/**
 * Every shape a consumer must handle: nvme, sata ssd and hdd, usb, SAS; wearout a number and "N/A";
 * health PASSED, OK, FAILED! (as smartctl prints it) and UNKNOWN; temperatures from attribute 194,
 * from 190 only, from the NVMe and SAS text forms, and none at all.
 */
export function defaultDisks(index: number): SimDiskSpec[] {
  switch (index % 3) {
    case 0:
      return [
        nvme(`S5GXNF0R${100000 + index}`, 97, 41),
        {
          devpath: "/dev/sda", type: "ssd", model: "CT500MX500SSD1", vendor: "ATA", serial: `2039E4C5${index}A1B`, size: 500107862016,
          health: "PASSED", wearout: 98, rpm: 0, used: "LVM", temperature: 33, smart: "ata", temperatureAttribute: 194, partitions: 3,
        },
        {
          devpath: "/dev/sdb", type: "hdd", model: "WDC WD40EFRX-68N32N0", vendor: "ATA", serial: `WD-WCC7K${index}HXTZ9`, size: 4 * TB,
          health: "PASSED", wearout: "N/A", rpm: 5400, used: "ZFS", temperature: 36, smart: "ata", temperatureAttribute: 194, partitions: 2,
        },
        {
          devpath: "/dev/sdc", type: "usb", model: "Elements_25A3", vendor: "WD", serial: `575836314${index}42`, size: 2 * TB,
          health: "UNKNOWN", wearout: "N/A", rpm: 0, used: "ext4", temperature: null, smart: "none", partitions: 1,
        },
      ];
    case 1:
      return [
        {
          devpath: "/dev/sda", type: "ssd", model: "Samsung SSD 870 EVO 500GB", vendor: "ATA", serial: `S62ANJ0R${index}1234`, size: 500107862016,
          health: "PASSED", wearout: "N/A", rpm: 0, used: "LVM", temperature: 30, smart: "ata", temperatureAttribute: 190, partitions: 3,
        },
        {
          devpath: "/dev/sdb", type: "hdd", model: "ST4000VN008-2DR166", vendor: "ATA", serial: `ZDH${index}A1B2`, size: 4 * TB,
          health: "FAILED!", wearout: "N/A", rpm: 5980, used: "ZFS", temperature: 47, smart: "ata", temperatureAttribute: 194, partitions: 2,
        },
      ];
    default:
      return [
        nvme(`S5GXNF0R${200000 + index}`, 88, 52),
        {
          devpath: "/dev/sda", type: "ssd", model: "PX05SMB040", vendor: "TOSHIBA", serial: `X7C0A0${index}LT0EA`, size: 400 * GB,
          health: "OK", wearout: 100, rpm: 0, used: "ZFS", temperature: 38, smart: "sas", partitions: 2,
        },
      ];
  }
}

export function defaultPools(index: number, disks: SimDiskSpec[]): SimPoolSpec[] {
  const size = disks.filter((disk) => disk.used === "ZFS").reduce((sum, disk) => sum + disk.size, 0);
  if (size === 0) return [];
  const name = index % 3 === 1 ? "tank" : "rpool";
  const health = index % 3 === 1 ? "DEGRADED" : "ONLINE";
  const alloc = Math.round(size * (0.3 + (index % 3) * 0.2));
  return [{ name, size, alloc, frag: 7 + index * 5, dedup: 1, health }];
}

/** First node: a pending pve-manager and others; second: up to date; third: no Sys.Modify (403); then up to date. */
export function defaultUpdates(index: number, version: string): { updates: SimUpdateSpec[]; allowed: boolean } {
  if (index === 2) return { updates: [], allowed: false };
  if (index !== 0) return { updates: [], allowed: true };
  const [major, minor, patch] = version.split(".").map(Number);
  const next = `${major ?? 8}.${minor ?? 2}.${(patch ?? 0) + 1}`;
  return {
    allowed: true,
    updates: [
      { Package: "pve-manager", Title: "Proxmox Virtual Environment Management Tools", Version: next, OldVersion: version, Origin: "Proxmox", Priority: "optional", Section: "admin", Arch: "amd64" },
      { Package: "proxmox-kernel-helper", Title: "Function for various kernel maintenance tasks.", Version: "8.1.1", OldVersion: "8.1.0", Origin: "Proxmox", Priority: "optional", Section: "admin", Arch: "all" },
      { Package: "libssl3", Title: "Secure Sockets Layer toolkit - shared libraries", Version: "3.0.15-1~deb12u1", OldVersion: "3.0.14-1~deb12u2", Origin: "Debian", Priority: "optional", Section: "libs", Arch: "amd64" },
      { Package: "tzdata", Title: "time zone and daylight-saving time data", Version: "2024b-0+deb12u1", OldVersion: "2024a-0+deb12u1", Origin: "Debian", Priority: "required", Section: "localization", Arch: "all" },
    ],
  };
}
