import type { Logger } from "../log.js";
import type { GuestConfig, SnapshotRow, StorageContentRow } from "../pve/schemas.js";
import type { PveApi } from "../pve/types.js";
import { agentEnabled, ipsFromAgent, ipsFromLxc, ipsFromLxcConfig, type GuestIps } from "./ips.js";
import { runLimited, spreadHash } from "./limit.js";
import { ProblemLog } from "./problems.js";
import { guestKey, type DeviceKey, type GuestDetails, type GuestInfo, type Inventory, type StorageInfo } from "./types.js";

export type DetailKind = "ips" | "snapshots" | "backups";

/** How often each detail is refreshed, in poll cycles. */
export interface DetailCadence {
  ips: number;
  snapshots: number;
  backups: number;
}

export const DEFAULT_CADENCE: DetailCadence = { ips: 10, snapshots: 30, backups: 30 };

/** A guest whose agent (or CT interfaces endpoint) did not answer is not asked again for this many cycles. */
const SILENT_CYCLES = 30;
const CONCURRENCY = 8;
/** Shared by every guest without addresses; never mutated. */
const NO_IPS: GuestIps = { ipv4: [], ipv6: [] };

/** The parts of a guest's config the details need: qemu's agent flag, a container's static ip=. */
interface ConfigFacts {
  agent: boolean;
  staticIps: GuestIps;
}

interface GuestMemory {
  running: boolean;
  uptime: number | null;
  /** What its config says (read once per run of the guest): only the facts kept, not the whole config. */
  config?: ConfigFacts;
  /** Cycle before which the agent / lxc interfaces endpoint is not asked again. */
  silentUntil: number;
  /** The last poll cycle whose inventory had this guest (what vanished is what a cycle did not observe). */
  observedIn: number;
  ips: GuestIps;
  snapshots: Pick<GuestDetails, "snapshots" | "lastSnapshot" | "lastSnapshotTime">;
  /** The details last handed out, with the inputs they were built from. */
  handedOut?: { ips: GuestIps; snapshots: GuestMemory["snapshots"]; lastBackup: number | null; details: GuestDetails };
}

/**
 * The slow details of guests (IPs, snapshots, newest backup), each on its own cadence and spread
 * across cycles: a guest is due when `(cycle + hash(vmid)) % cadence === 0`, so a large cluster
 * pays a small, steady number of extra requests per cycle. A failed call keeps the last value.
 */
export class DetailsCollector {
  private readonly guests = new Map<DeviceKey, GuestMemory>();
  /** Per backup listing (`shared/<storage>` or `<node>/<storage>`): vmid → newest ctime (ms). */
  private readonly backups = new Map<string, Map<number, number>>();
  /** The details of the last collect or refresh (see detailsOf). */
  private readonly current = new Map<DeviceKey, GuestDetails>();
  /** vmid → newest backup over every listing; rebuilt only after `backups` changed (not once per guest and cycle). */
  private newestBackup: Map<number, number> | null = null;
  private readonly problems: ProblemLog;
  private cycle = 0;

  constructor(
    log: Logger,
    private readonly cadence: DetailCadence = DEFAULT_CADENCE,
  ) {
    this.problems = new ProblemLog(log);
  }

  /** Fetches what is due in this cycle; returns the details of every guest in the inventory. */
  async collect(api: PveApi, inventory: Inventory, cycle: number): Promise<ReadonlyMap<DeviceKey, GuestDetails>> {
    this.cycle = cycle;
    const jobs: Array<() => Promise<void>> = [];
    let observed = 0;
    for (const guest of inventory.guests) {
      const memory = this.observe(guest);
      if (memory.observedIn !== cycle) {
        memory.observedIn = cycle;
        observed++;
      }
      // one hash per guest and no callback per guest (a new function every cycle is optimized again)
      const phase = cycle + spreadHash(guest.vmid);
      if (guest.status === "running" && phase % this.cadence.ips === 0) jobs.push(() => this.fetchIps(api, guest, memory));
      if (guest.status !== "unknown" && phase % this.cadence.snapshots === 0) jobs.push(() => this.fetchSnapshots(api, guest, memory));
    }
    // Every guest remembered was observed (the usual cycle): none vanished, no need to look.
    if (observed !== this.guests.size) this.forgetVanished(cycle);
    const listings = backupListings(inventory);
    this.forgetVanishedListings(listings);
    for (const listing of listings) {
      if ((cycle + spreadHash(listing.key)) % this.cadence.backups === 0) jobs.push(() => this.fetchBackups(api, listing));
    }
    await runLimited(jobs, CONCURRENCY);
    return this.detailsOf(inventory);
  }

  /** Fetches the given details of one guest now (after a command, or a refresh request). */
  async refresh(api: PveApi, inventory: Inventory, guest: GuestInfo, kinds: DetailKind[]): Promise<ReadonlyMap<DeviceKey, GuestDetails>> {
    const memory = this.observe(guest);
    const jobs: Array<() => Promise<void>> = [];
    if (kinds.includes("ips") && guest.status === "running") {
      memory.silentUntil = 0;
      jobs.push(() => this.fetchIps(api, guest, memory));
    }
    if (kinds.includes("snapshots")) jobs.push(() => this.fetchSnapshots(api, guest, memory));
    if (kinds.includes("backups")) {
      const onGuestNode = inventory.storages.filter((storage) => storage.node === guest.node && holdsBackups(storage));
      for (const storage of onGuestNode) jobs.push(() => this.fetchBackups(api, listingOf(storage), guest.vmid));
    }
    await runLimited(jobs, CONCURRENCY);
    return this.detailsOf(inventory);
  }

  /** Notes the guest's run state; a restart drops its cached config (the agent flag may have changed). */
  private observe(guest: GuestInfo): GuestMemory {
    const key = guestKey(guest.kind, guest.vmid);
    const running = guest.status === "running";
    const memory = this.guests.get(key);
    if (!memory) {
      const fresh: GuestMemory = { running, uptime: guest.uptime, silentUntil: 0, observedIn: -1, ips: NO_IPS, snapshots: NO_SNAPSHOTS };
      this.guests.set(key, fresh);
      return fresh;
    }
    const restarted = (running && !memory.running) || (guest.uptime !== null && memory.uptime !== null && guest.uptime < memory.uptime);
    if (restarted) {
      delete memory.config;
      memory.silentUntil = 0;
    }
    if (guest.status === "stopped" || guest.status === "hibernated") memory.ips = NO_IPS;
    if (guest.status !== "unknown") {
      memory.running = running;
      memory.uptime = guest.uptime;
    }
    return memory;
  }

  private async fetchIps(api: PveApi, guest: GuestInfo, memory: GuestMemory): Promise<void> {
    const key = guestKey(guest.kind, guest.vmid);
    if (guest.kind === "qemu") {
      if (memory.silentUntil > this.cycle) return;
      const config = await this.configOf(api, guest, memory);
      if (config === undefined) return;
      if (!config.agent) {
        memory.ips = NO_IPS;
        return;
      }
      try {
        memory.ips = ipsFromAgent((await api.agentInterfaces(guest.node, guest.vmid)).rows);
        this.problems.succeeded(`${key}:agent`, `The guest agent of ${key} answers again`);
      } catch (error) {
        memory.silentUntil = this.cycle + SILENT_CYCLES;
        this.problems.failed(`${key}:agent`, `The guest agent of ${key} does not answer; its IPs stay as last known and it is asked again in ${SILENT_CYCLES} cycles`, error);
      }
      return;
    }
    if (memory.silentUntil <= this.cycle) {
      try {
        memory.ips = ipsFromLxc((await api.lxcInterfaces(guest.node, guest.vmid)).rows);
        this.problems.succeeded(`${key}:interfaces`, `The interfaces of ${key} can be read again`);
        return;
      } catch (error) {
        memory.silentUntil = this.cycle + SILENT_CYCLES;
        this.problems.failed(`${key}:interfaces`, `Cannot read the interfaces of ${key}; using the static ip= of its config instead`, error);
      }
    }
    const config = await this.configOf(api, guest, memory);
    if (config !== undefined) memory.ips = config.staticIps;
  }

  private async configOf(api: PveApi, guest: GuestInfo, memory: GuestMemory): Promise<ConfigFacts | undefined> {
    if (memory.config) return memory.config;
    const key = guestKey(guest.kind, guest.vmid);
    try {
      memory.config = configFacts(guest.kind, await api.guestConfig(guest.kind, guest.node, guest.vmid));
      this.problems.succeeded(`${key}:config`, `The config of ${key} can be read again`);
      return memory.config;
    } catch (error) {
      this.problems.failed(`${key}:config`, `Cannot read the config of ${key} (needs VM.Audit); its IPs stay as last known`, error);
      return undefined;
    }
  }

  private async fetchSnapshots(api: PveApi, guest: GuestInfo, memory: GuestMemory): Promise<void> {
    const key = guestKey(guest.kind, guest.vmid);
    try {
      memory.snapshots = summarizeSnapshots((await api.snapshots(guest.kind, guest.node, guest.vmid)).rows);
      this.problems.succeeded(`${key}:snapshots`, `The snapshots of ${key} can be read again`);
    } catch (error) {
      this.problems.failed(`${key}:snapshots`, `Cannot list the snapshots of ${key}; keeping the last known count`, error);
    }
  }

  /** Lists one storage's backups; with `vmid`, only that guest's (its entry is replaced). */
  private async fetchBackups(api: PveApi, listing: BackupListing, vmid?: number): Promise<void> {
    const problem = `storage/${listing.key}:backups`;
    try {
      const rows = (await api.storageContent(listing.node, listing.storage, "backup", vmid)).rows;
      const newest = newestBackups(rows);
      if (vmid === undefined) {
        this.backups.set(listing.key, newest);
      } else {
        const known = this.backups.get(listing.key) ?? new Map<number, number>();
        const time = newest.get(vmid);
        if (time === undefined) known.delete(vmid);
        else known.set(vmid, time);
        this.backups.set(listing.key, known);
      }
      this.newestBackup = null;
      this.problems.succeeded(problem, `The backups on ${listing.storage} can be listed again`);
    } catch (error) {
      this.problems.failed(problem, `Cannot list the backups on storage ${listing.storage} (node ${listing.node}; needs Datastore.Audit); keeping the last known times`, error);
    }
  }

  /**
   * Each guest's details; the previous object is reused while its inputs are the same (they change
   * every 10–30 cycles). The map is the collector's own, updated in place by the next call.
   */
  private detailsOf(inventory: Inventory): ReadonlyMap<DeviceKey, GuestDetails> {
    const result = this.current;
    const newestBackup = this.newestBackupByVmid();
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      const memory = this.guests.get(key);
      const lastBackup = newestBackup.get(guest.vmid) ?? null;
      const ips = memory?.ips ?? NO_IPS;
      const snapshots = memory?.snapshots ?? NO_SNAPSHOTS;
      const previous = memory?.handedOut;
      // unchanged: already in `result`, which is updated in place
      if (previous && previous.ips === ips && previous.snapshots === snapshots && previous.lastBackup === lastBackup) continue;
      const details: GuestDetails = { ipv4: [...ips.ipv4], ipv6: [...ips.ipv6], ...snapshots, lastBackup };
      if (memory) memory.handedOut = { ips, snapshots, lastBackup, details };
      result.set(key, details);
    }
    return result;
  }

  private newestBackupByVmid(): Map<number, number> {
    if (this.newestBackup) return this.newestBackup;
    const merged = new Map<number, number>();
    for (const newest of this.backups.values()) {
      for (const [vmid, time] of newest) if (time > (merged.get(vmid) ?? -Infinity)) merged.set(vmid, time);
    }
    this.newestBackup = merged;
    return merged;
  }

  /** Forgets the guests not observed in this cycle (and drops them from the details handed out). */
  private forgetVanished(cycle: number): void {
    for (const [key, memory] of this.guests) {
      if (memory.observedIn === cycle) continue;
      this.guests.delete(key);
      this.current.delete(key);
      this.problems.forget(`${key}:`);
    }
  }

  private forgetVanishedListings(listings: BackupListing[]): void {
    if (this.backups.size === 0) return;
    const present = new Set(listings.map((listing) => listing.key));
    for (const key of this.backups.keys()) {
      if (present.has(key)) continue;
      this.backups.delete(key);
      this.newestBackup = null;
    }
  }
}

/** Not read yet; shared and never mutated. */
const NO_SNAPSHOTS: Pick<GuestDetails, "snapshots" | "lastSnapshot" | "lastSnapshotTime"> = { snapshots: null, lastSnapshot: null, lastSnapshotTime: null };

/** Count without the `current` pseudo row ("You are here!"); the newest by `snaptime`. */
export function summarizeSnapshots(rows: SnapshotRow[]): Pick<GuestDetails, "snapshots" | "lastSnapshot" | "lastSnapshotTime"> {
  const real = rows.filter((row) => row.name !== "current");
  const newest = real.reduce<SnapshotRow | undefined>(
    (best, row) => (best === undefined || (row.snaptime ?? 0) > (best.snaptime ?? 0) ? row : best),
    undefined,
  );
  return {
    snapshots: real.length,
    lastSnapshot: newest?.name ?? null,
    lastSnapshotTime: newest?.snaptime === undefined ? null : newest.snaptime * 1000,
  };
}

/** vmid → newest `ctime` (epoch ms) in a backup listing. */
export function newestBackups(rows: StorageContentRow[]): Map<number, number> {
  const newest = new Map<number, number>();
  for (const row of rows) {
    if (row.vmid === undefined || row.ctime === undefined || Number.isNaN(row.vmid)) continue;
    const time = row.ctime * 1000;
    if ((newest.get(row.vmid) ?? -Infinity) < time) newest.set(row.vmid, time);
  }
  return newest;
}

interface BackupListing {
  key: string;
  node: string;
  storage: string;
}

function holdsBackups(storage: StorageInfo): boolean {
  return storage.active === true && storage.content.includes("backup");
}

/** One listing per active backup storage; a shared storage once, from the first node that has it active. */
function backupListings(inventory: Inventory): BackupListing[] {
  const listings = new Map<string, BackupListing>();
  for (const storage of inventory.storages.filter(holdsBackups)) {
    const listing = listingOf(storage);
    if (!listings.has(listing.key)) listings.set(listing.key, listing);
  }
  return [...listings.values()];
}

function listingOf(storage: StorageInfo): BackupListing {
  const key = storage.shared ? `shared/${storage.storage}` : `${storage.node}/${storage.storage}`;
  return { key, node: storage.node, storage: storage.storage };
}

function configFacts(kind: GuestInfo["kind"], config: GuestConfig): ConfigFacts {
  return kind === "qemu" ? { agent: agentEnabled(config), staticIps: NO_IPS } : { agent: false, staticIps: ipsFromLxcConfig(config) };
}
