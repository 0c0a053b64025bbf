/* A disk and a ZFS pool as the health reader builds them, known and unknown. */
import type { DiskInfo } from "../../src/inventory/disks.js";
import type { ZfsPoolInfo } from "../../src/inventory/zfs.js";

export const DISK: DiskInfo = {
  node: "pve1", device: "/dev/nvme0n1", name: "nvme0n1", model: "Samsung SSD 980 PRO 1TB", serial: "S5GXNX0T123456", vendor: null,
  type: "nvme", size: 1000204886016, health: "ok", smart: "PASSED", wearout: 3, temperature: 41, used: "LVM",
};
export const DISK_UNKNOWN: DiskInfo = {
  node: "pve1", device: "/dev/sdb", name: "sdb", model: null, serial: null, vendor: null,
  type: "unknown", size: null, health: "unknown", smart: null, wearout: null, temperature: null, used: null,
};
export const POOL: ZfsPoolInfo = { node: "pve1", pool: "rpool", health: "ONLINE", size: 1e12, used: 4e11, free: 6e11, used_percent: 40, fragmentation: 12, dedup: 1 };
export const POOL_UNKNOWN: ZfsPoolInfo = { node: "pve1", pool: "tank", health: null, size: null, used: null, free: null, used_percent: null, fragmentation: null, dedup: null };
