import { DEBIAN_12, type SimOsInfo } from "./os-info.js";
import { SeededRandom } from "./random.js";
import type { SimGuestSpec, SimGuestStatus, SimStorageSpec } from "./types.js";

/** The state a running or stopped guest is in; "hibernated" is stopped + lock "suspended". */
export type RunState = "running" | "stopped" | "paused" | "suspended" | "prelaunch" | "io-error";

export interface SimSnapshot {
  name: string;
  snaptime: number;
  description: string;
  vmstate: boolean;
  parent?: string;
}

/** What /cluster/resources shows of a guest, possibly lagging behind (pvestatd). */
interface VisibleState {
  at: number;
  node: string;
  runState: RunState;
  lock?: string;
  hastate?: string;
}

export interface SimGuest {
  vmid: number;
  kind: "qemu" | "lxc";
  node: string;
  name?: string;
  runState: RunState;
  lock?: string;
  template: boolean;
  agent: boolean;
  agentRunning: boolean;
  ostype: string;
  osInfo: SimOsInfo;
  ha: boolean;
  hastate?: string;
  tags: string[];
  cores: number;
  memory: number;
  disk: number;
  ipv4: string[];
  ipv6: string[];
  snapshotFeature: boolean;
  warnings: boolean;
  /** Its part of any backup job fails with this reason (PVE's text after "Backup of VM <vmid> failed - "). */
  backupError?: string;
  mac: string;
  snapshots: SimSnapshot[];
  /** On the uptime clock. */
  startedAt: number;
  cpu: number;
  mem: number;
  diskUsed: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  history: VisibleState[];
  /** A power action still running (PVE would hold the config lock). */
  busy: boolean;
}

export interface SimNode {
  name: string;
  nodeid: number;
  ip: string;
  online: boolean;
  offlineSince?: number;
  level: string;
  cpus: number;
  memTotal: number;
  memUsed: number;
  swapTotal: number;
  swapUsed: number;
  rootTotal: number;
  rootUsed: number;
  bootAt: number;
  cpu: number;
}

export interface SimStorage {
  storage: string;
  type: string;
  shared: boolean;
  content: string[];
  total: number;
  used: number;
  nodes?: string[];
  active: boolean;
}

export interface SimBackup {
  volid: string;
  storage: string;
  /** For a non-shared storage, the node whose copy holds it. */
  node: string;
  vmid: number;
  ctime: number;
  size: number;
  format: string;
}

const GiB = 1024 ** 3;
/** pmxcfs drops status entries not updated for 5 minutes. */
export const STALE_AFTER_MS = 5 * 60 * 1000;

export interface ModelOptions {
  now: () => number;
  statsLagMs: number;
  seed: number;
}

/** The cluster's state: nodes, guests, storages, backups, and the counters that move. */
export class ClusterModel {
  readonly nodes = new Map<string, SimNode>();
  readonly guests = new Map<number, SimGuest>();
  readonly storages = new Map<string, SimStorage>();
  readonly backups: SimBackup[] = [];
  private readonly random: SeededRandom;
  private advancedMs = 0;
  private frozenAt: number | undefined;

  constructor(private readonly options: ModelOptions) {
    this.random = new SeededRandom(options.seed ^ 0x5eed);
  }

  now(): number {
    return this.options.now();
  }

  /** Simulated time of metrics and uptime: real time plus advance(), stopped while frozen. */
  uptimeClock(): number {
    return this.frozenAt ?? this.options.now() + this.advancedMs;
  }

  freeze(frozen: boolean): void {
    if (frozen && this.frozenAt === undefined) this.frozenAt = this.uptimeClock();
    if (!frozen && this.frozenAt !== undefined) {
      this.advancedMs = this.frozenAt - this.options.now();
      this.frozenAt = undefined;
    }
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  addNode(name: string, index: number): void {
    this.nodes.set(name, {
      name,
      nodeid: index + 1,
      ip: `192.0.2.${11 + index}`,
      online: true,
      level: index % 2 === 0 ? "c" : "",
      cpus: 8 * (1 + (index % 3)),
      memTotal: 32 * GiB * (1 + (index % 2)),
      memUsed: Math.round(12 * GiB + this.random.next() * 4 * GiB),
      swapTotal: index % 2 === 0 ? 8 * GiB : 0,
      swapUsed: index % 2 === 0 ? 256 * 1024 ** 2 : 0,
      rootTotal: 100 * GiB,
      rootUsed: Math.round(15 * GiB + this.random.next() * 10 * GiB),
      bootAt: this.uptimeClock() - (3 * 86400 + index * 3600) * 1000,
      cpu: 0.05 + this.random.next() * 0.2,
    });
  }

  addStorage(spec: SimStorageSpec): void {
    this.storages.set(spec.storage, {
      storage: spec.storage,
      type: spec.type,
      shared: spec.shared ?? false,
      content: [...spec.content],
      total: spec.total,
      used: spec.used,
      ...(spec.nodes ? { nodes: [...spec.nodes] } : {}),
      active: spec.active ?? true,
    });
  }

  storageEnabledOn(storage: SimStorage, node: string): boolean {
    return storage.nodes === undefined || storage.nodes.includes(node);
  }

  addGuest(spec: SimGuestSpec): void {
    if (this.guests.has(spec.vmid)) throw new Error(`Guest ${spec.vmid} already exists in the simulator; remove it first.`);
    if (!this.nodes.has(spec.node)) throw new Error(`Node "${spec.node}" does not exist in the simulator.`);
    const status: SimGuestStatus = spec.status ?? (spec.template ? "stopped" : "running");
    const memory = spec.memory ?? (spec.kind === "qemu" ? 4 : 1) * GiB;
    const disk = spec.disk ?? (spec.kind === "qemu" ? 32 : 8) * GiB;
    const guest: SimGuest = {
      vmid: spec.vmid,
      kind: spec.kind,
      node: spec.node,
      ...(spec.name !== undefined ? { name: spec.name } : {}),
      runState: "stopped",
      template: spec.template ?? false,
      agent: spec.kind === "qemu" && (spec.agent ?? false),
      agentRunning: spec.agentRunning ?? spec.agent ?? false,
      ostype: spec.ostype ?? (spec.kind === "qemu" ? "l26" : "debian"),
      osInfo: { ...(spec.osInfo ?? DEBIAN_12) },
      ha: spec.ha ?? false,
      tags: [...(spec.tags ?? [])],
      cores: spec.cores ?? 2,
      memory,
      disk,
      ipv4: [...(spec.ipv4 ?? [])],
      ipv6: [...(spec.ipv6 ?? [])],
      snapshotFeature: spec.snapshotFeature ?? true,
      warnings: spec.warnings ?? false,
      ...(spec.backupError !== undefined ? { backupError: spec.backupError } : {}),
      mac: macFor(spec.vmid),
      snapshots: [],
      startedAt: this.uptimeClock(),
      cpu: 0,
      mem: 0,
      diskUsed: Math.round(disk * (0.2 + this.random.next() * 0.4)),
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
      history: [],
      busy: false,
    };
    if (guest.ha) guest.hastate = status === "stopped" || status === "hibernated" ? "stopped" : "started";
    this.guests.set(spec.vmid, guest);
    this.applyStatus(guest, status, spec.lock);
    if (isRunning(guest)) {
      // A guest found running has been up for a while and has counters to show.
      guest.startedAt = this.uptimeClock() - this.random.int(600, 20 * 86400) * 1000;
      guest.netin = this.random.int(1, 5000) * 1024 ** 2;
      guest.netout = this.random.int(1, 3000) * 1024 ** 2;
      guest.diskread = this.random.int(1, 20000) * 1024 ** 2;
      guest.diskwrite = this.random.int(1, 10000) * 1024 ** 2;
    }
  }

  /** Applies a status in the spec's vocabulary (hibernated = stopped + lock suspended). */
  applyStatus(guest: SimGuest, status: SimGuestStatus, lock?: string): void {
    if (status === "hibernated") {
      this.setRunState(guest, "stopped", "suspended");
    } else {
      const runState: RunState = guest.kind === "lxc" && status !== "stopped" ? "running" : status;
      this.setRunState(guest, runState, lock);
    }
  }

  /** Changes a guest's run state (and lock), starting or zeroing its metrics. */
  setRunState(guest: SimGuest, runState: RunState, lock?: string): void {
    const wasRunning = isRunning(guest);
    guest.runState = runState;
    guest.lock = lock;
    if (isRunning(guest) && !wasRunning) {
      guest.startedAt = this.uptimeClock();
      guest.cpu = 0.02 + this.random.next() * 0.1;
      guest.mem = Math.round(guest.memory * (0.3 + this.random.next() * 0.4));
    }
    if (!isRunning(guest)) {
      guest.cpu = 0;
      guest.mem = 0;
      guest.netin = 0;
      guest.netout = 0;
      guest.diskread = 0;
      guest.diskwrite = 0;
    }
    this.recordVisible(guest);
  }

  setLock(guest: SimGuest, lock: string | undefined): void {
    guest.lock = lock;
    this.recordVisible(guest);
  }

  setHaState(guest: SimGuest, hastate: string | undefined): void {
    guest.hastate = hastate;
    this.recordVisible(guest);
  }

  moveGuest(guest: SimGuest, node: string): void {
    if (!this.nodes.has(node)) throw new Error(`Node "${node}" does not exist in the simulator.`);
    guest.node = node;
    this.recordVisible(guest);
  }

  recordVisible(guest: SimGuest): void {
    const entry: VisibleState = { at: this.now(), node: guest.node, runState: guest.runState };
    if (guest.lock !== undefined) entry.lock = guest.lock;
    if (guest.hastate !== undefined) entry.hastate = guest.hastate;
    guest.history.push(entry);
    this.pruneHistory(guest);
  }

  /** The state /cluster/resources shows: the newest one at least statsLagMs old. */
  visible(guest: SimGuest): VisibleState {
    const last = guest.history[guest.history.length - 1]!;
    if (this.options.statsLagMs <= 0) return last;
    this.pruneHistory(guest);
    const cutoff = this.now() - this.options.statsLagMs;
    for (let i = guest.history.length - 1; i >= 0; i--) {
      if (guest.history[i]!.at <= cutoff) return guest.history[i]!;
    }
    return guest.history[0]!;
  }

  private pruneHistory(guest: SimGuest): void {
    const cutoff = this.now() - this.options.statsLagMs;
    while (guest.history.length > 1 && guest.history[1]!.at <= cutoff) guest.history.shift();
  }

  setNodeOnline(name: string, online: boolean, offlineForMs = 0): void {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`Node "${name}" does not exist in the simulator.`);
    if (online && !node.online) node.bootAt = this.uptimeClock();
    node.online = online;
    if (online) delete node.offlineSince;
    else node.offlineSince = this.now() - offlineForMs;
  }

  /** Offline for more than 5 minutes: pmxcfs has dropped its status entries. */
  nodeStale(node: SimNode): boolean {
    return !node.online && node.offlineSince !== undefined && this.now() - node.offlineSince > STALE_AFTER_MS;
  }

  /** Moves the counters as if ms had passed. */
  advance(ms: number): void {
    if (ms <= 0) return;
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.advancedMs += ms;
    this.moveCounters(ms);
  }

  /** The demo's heartbeat: counters move with real time unless frozen. */
  tick(ms: number): void {
    if (this.frozenAt === undefined) this.moveCounters(ms);
  }

  private moveCounters(ms: number): void {
    const seconds = ms / 1000;
    for (const guest of this.guests.values()) {
      if (!isRunning(guest) || guest.runState === "paused") continue;
      const node = this.nodes.get(guest.node);
      if (node && !node.online) continue;
      guest.cpu = clamp(guest.cpu + (this.random.next() - 0.5) * 0.1, 0.005, 0.95);
      guest.mem = Math.round(clamp(guest.mem + (this.random.next() - 0.5) * 0.05 * guest.memory, 0.1 * guest.memory, guest.memory));
      guest.netin += Math.round(seconds * (2000 + this.random.next() * 200_000));
      guest.netout += Math.round(seconds * (1000 + this.random.next() * 100_000));
      guest.diskread += Math.round(seconds * this.random.next() * 500_000);
      guest.diskwrite += Math.round(seconds * this.random.next() * 300_000);
    }
    for (const node of this.nodes.values()) {
      if (!node.online) continue;
      node.cpu = clamp(node.cpu + (this.random.next() - 0.5) * 0.05, 0.01, 0.9);
      node.memUsed = Math.round(clamp(node.memUsed + (this.random.next() - 0.5) * 0.01 * node.memTotal, 0.1 * node.memTotal, 0.95 * node.memTotal));
    }
  }

  guestUptimeSec(guest: SimGuest): number {
    return isRunning(guest) ? Math.max(0, Math.floor((this.uptimeClock() - guest.startedAt) / 1000)) : 0;
  }

  nodeUptimeSec(node: SimNode): number {
    return node.online ? Math.max(0, Math.floor((this.uptimeClock() - node.bootAt) / 1000)) : 0;
  }

  /** Hosts' threads cap qemu vCPUs; lxc uses cores. */
  maxcpu(guest: SimGuest): number {
    const node = this.nodes.get(guest.node);
    return Math.min(guest.cores, node?.cpus ?? guest.cores);
  }

  backupsOf(vmid: number): SimBackup[] {
    return this.backups.filter((b) => b.vmid === vmid);
  }
}

export function isRunning(guest: { runState: RunState }): boolean {
  return guest.runState !== "stopped";
}

/** The spec vocabulary: paused, hibernated, etc. */
export function specStatus(guest: SimGuest): string {
  if (guest.runState === "stopped" && guest.lock === "suspended") return "hibernated";
  return guest.runState;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function macFor(vmid: number): string {
  const hex = vmid.toString(16).toUpperCase().padStart(6, "0");
  return `BC:24:11:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}
