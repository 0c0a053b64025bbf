import { defaultDisks, defaultPools, defaultUpdates } from "./health-defaults.js";

/** A physical disk as PVE's disks/list shows it, plus what its SMART answer holds. */
export interface SimDiskSpec {
  devpath: string;
  type: "ssd" | "hdd" | "nvme" | "usb" | "unknown";
  model: string;
  serial: string;
  /** sysfs vendor (ATA disks say "ATA"); absent on NVMe. */
  vendor?: string;
  size: number;
  /** smartctl's word: PASSED, OK, FAILED!, UNKNOWN, … */
  health: string;
  /** Percent of life LEFT, as PVE's API gives it, or "N/A". */
  wearout: number | "N/A";
  rpm: number;
  /** LVM, ZFS, ext4, partitions, …; undefined: unused. */
  used?: string;
  /** °C in the SMART answer; null: the answer has none. */
  temperature: number | null;
  /** The SMART answer's form: ATA attributes, NVMe or SAS text, or none (smartctl failed: health UNKNOWN only). */
  smart: "ata" | "nvme" | "sas" | "none";
  /** ATA only: which attribute carries the temperature. */
  temperatureAttribute?: 194 | 190;
  /** How many partitions disks/list shows with include-partitions=1. */
  partitions?: number;
}

/** A row of `zpool list -Hp`: bytes, frag %, dedup ratio. */
export interface SimPoolSpec {
  name: string;
  size: number;
  alloc: number;
  frag: number;
  dedup: number;
  health: string;
}

/** A row of GET /nodes/{n}/apt/update. */
export interface SimUpdateSpec {
  Package: string;
  Title?: string;
  Description?: string;
  Version: string;
  OldVersion?: string;
  Origin?: string;
  Priority?: string;
  Section?: string;
  Arch?: string;
}

/** Per node: its disks, pools and updates, and whether the account may read them. */
export interface SimNodeHealth {
  disks: SimDiskSpec[];
  pools: SimPoolSpec[];
  updates: SimUpdateSpec[];
  /** false: disks/list, smart and zfs answer 403 (no Sys.Audit). */
  disksAllowed: boolean;
  /** false: apt/update answers 403 (no Sys.Modify on /nodes/<n>). */
  updatesAllowed: boolean;
}

/** What /cluster/ceph/status answers when a Ceph storage exists. */
export interface SimCephSpec {
  health: "HEALTH_OK" | "HEALTH_WARN" | "HEALTH_ERR";
  /** An external Ceph cluster: PVE answers 500 "binary not installed: /usr/bin/ceph-mon". */
  external: boolean;
}

/**
 * The health data of the simulated cluster (disks, ZFS pools, apt updates, Ceph) and the handles
 * tests use to vary it: `sim.health.setDisk("pve1", "/dev/sda", { health: "FAILED!" })`, …
 */
export class SimHealth {
  private readonly nodes = new Map<string, SimNodeHealth>();
  ceph: SimCephSpec = { health: "HEALTH_OK", external: false };
  /** PVE 9's `ha-manager crm-command disarm-ha`: null while armed (or on standby). */
  haDisarm: "disarming" | "disarmed" | null = null;

  constructor(nodeNames: string[], version: string) {
    nodeNames.forEach((name, index) => {
      const disks = defaultDisks(index);
      const updates = defaultUpdates(index, version);
      this.nodes.set(name, { disks, pools: defaultPools(index, disks), updates: updates.updates, disksAllowed: true, updatesAllowed: updates.allowed });
    });
  }

  of(node: string): SimNodeHealth {
    const health = this.nodes.get(node);
    if (!health) throw new Error(`Node "${node}" does not exist in the simulator.`);
    return health;
  }

  setDisk(node: string, devpath: string, patch: Partial<SimDiskSpec>): void {
    const disks = this.of(node).disks;
    const index = disks.findIndex((disk) => disk.devpath === devpath);
    if (index < 0) throw new Error(`Node "${node}" has no disk ${devpath} in the simulator.`);
    disks[index] = { ...disks[index]!, ...patch };
  }

  addDisk(node: string, disk: SimDiskSpec): void {
    this.removeDisk(node, disk.devpath);
    this.of(node).disks.push({ ...disk });
  }

  removeDisk(node: string, devpath: string): void {
    const health = this.of(node);
    health.disks = health.disks.filter((disk) => disk.devpath !== devpath);
  }

  setPool(node: string, name: string, patch: Partial<SimPoolSpec>): void {
    const pools = this.of(node).pools;
    const index = pools.findIndex((pool) => pool.name === name);
    if (index < 0) pools.push({ name, size: 0, alloc: 0, frag: 0, dedup: 1, health: "ONLINE", ...patch });
    else pools[index] = { ...pools[index]!, ...patch };
  }

  removePool(node: string, name: string): void {
    const health = this.of(node);
    health.pools = health.pools.filter((pool) => pool.name !== name);
  }

  setUpdates(node: string, updates: SimUpdateSpec[]): void {
    this.of(node).updates = updates.map((update) => ({ ...update }));
  }

  /** What the account may read on a node: disks (Sys.Audit) and updates (Sys.Modify). */
  setAccess(node: string, access: { disks?: boolean; updates?: boolean }): void {
    const health = this.of(node);
    if (access.disks !== undefined) health.disksAllowed = access.disks;
    if (access.updates !== undefined) health.updatesAllowed = access.updates;
  }

  setCeph(patch: Partial<SimCephSpec>): void {
    this.ceph = { ...this.ceph, ...patch };
  }

  setHaDisarm(state: "disarming" | "disarmed" | null): void {
    this.haDisarm = state;
  }
}
