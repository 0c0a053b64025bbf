import type { Logger } from "../log.js";
import type { GuestConfig } from "../pve/schemas.js";
import type { PveApi } from "../pve/types.js";
import { sameValues } from "../same-values.js";
import { AgentOs, guestOs } from "./agent-os.js";
import { newestBackups, summarizeSnapshots, type SnapshotSummary } from "./detail-rows.js";
import { agentEnabled, ipsFromAgent, ipsFromLxc, ipsFromLxcConfig, type GuestIps } from "./ips.js";
import { runLimited, spreadHash } from "./limit.js";
import { osFromConfig } from "./os.js";
import { backupListings, holdsBackups, isDue, justStarted, listingOf, withinBudget, type BackupListing, type Job } from "./detail-plan.js";
import { ProblemLog } from "./problems.js";
import { guestKey, type DeviceKey, type GuestDetails, type GuestInfo, type Inventory } from "./types.js";

export type DetailKind = "ips" | "snapshots" | "backups";

/** How often each detail is refreshed, in poll cycles. */
export interface DetailCadence {
  ips: number;
  snapshots: number;
  backups: number;
}

export const DEFAULT_CADENCE: DetailCadence = { ips: 10, snapshots: 30, backups: 30 };

/** Guests (by vmid) whose details are read in this poll whatever their cadence: the task feed saw them change. */
export interface WantedDetails {
  ips: ReadonlySet<number>;
  snapshots: ReadonlySet<number>;
  /** Guests whose backup ended → the storage the job wrote to (null: not named, any backup storage of the guest's node). */
  backups: ReadonlyMap<number, string | null>;
}

const NOTHING_WANTED: WantedDetails = { ips: new Set(), snapshots: new Set(), backups: new Map() };

/** A guest whose agent (or CT interfaces endpoint) did not answer is not asked again for this many cycles. */
const SILENT_CYCLES = 30;
/** Details read at once: the client keeps two connections per host for reads (a handshake each). */
const CONCURRENCY = 2;
/** First readings of guests seen for the first time, at most this many requests per poll (CONTRACT 4). */
const FIRST_READ_BUDGET = 50;
const NO_IPS: GuestIps = Object.freeze({ ipv4: [], ipv6: [] });
/** A guest whose agent has not answered in its first minutes is asked again every few polls. */
const AGENT_RETRY_CYCLES = 3;

/** The parts of a guest's config the details need. */
interface ConfigFacts {
  agent: boolean;
  staticIps: GuestIps;
  os: string | null;
}

/** What the collector knows of one guest; the collector's own bookkeeping, never handed out. */
interface GuestMemory {
  running: boolean;
  uptime: number | null;
  /** Read once per run of the guest (the agent flag may change with a restart). */
  config?: ConfigFacts;
  /** Whether a guest that was not running when first seen had its config read (for its `os`). */
  configAsked?: boolean;
  /** Cycle before which the agent / lxc interfaces endpoint is not asked again. */
  silentUntil: number;
  /** undefined until first read. */
  ips?: GuestIps;
  /** qemu: what its agent said of its OS (agent-os.ts); undefined until the agent first answers. */
  agentOs?: AgentOs;
  snapshots?: SnapshotSummary;
  /** The details last handed out (immutable), reused while the values are the same. */
  details?: GuestDetails;
}

/**
 * The slow details of guests (IPs, OS, snapshots, newest backup). A guest seen for the first time
 * is read at once (within the first-read budget per poll); after that each detail has its cadence,
 * spread across cycles: a guest is due when `(cycle + hash(vmid)) % cadence === 0`. A failed call
 * keeps the last value. Each collect hands out a new map of immutable details.
 */
export class DetailsCollector {
  private guests = new Map<DeviceKey, GuestMemory>();
  /** Per backup listing (`shared/<storage>` or `<node>/<storage>`): vmid → newest ctime (ms). */
  private backups = new Map<string, ReadonlyMap<number, number>>();
  private readonly problems: ProblemLog;
  private cycle = 0;

  constructor(
    log: Logger,
    private readonly cadence: DetailCadence = DEFAULT_CADENCE,
  ) {
    this.problems = new ProblemLog(log);
  }

  /** Fetches what is due in this cycle; returns the details of every guest in the inventory. */
  async collect(api: PveApi, inventory: Inventory, cycle: number, wanted: WantedDetails = NOTHING_WANTED): Promise<ReadonlyMap<DeviceKey, GuestDetails>> {
    this.cycle = cycle;
    const due: Job[] = [];
    const firstReads: Job[] = [];
    /** get-osinfo of guests whose agent answered: after the first reads, within the same budget. */
    const osReads: Job[] = [];
    const guests = new Map<DeviceKey, GuestMemory>();
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      const memory = this.observe(guest, this.guests.get(key));
      guests.set(key, memory);
      const phase = cycle + spreadHash(guest.vmid);
      const ipsRead = this.ipsRead(guest, memory, phase, wanted);
      if (ipsRead) (ipsRead === "first" ? firstReads : due).push({ run: () => this.fetchIps(api, guest, memory), cost: memory.config ? 1 : 2 });
      const agentOs = memory.agentOs;
      if (guest.status === "running" && agentOs?.due) osReads.push({ run: () => agentOs.read(api, guest, this.problems), cost: 1 });
      if (guest.status !== "running" && guest.status !== "unknown" && !memory.config && !memory.configAsked) {
        // a guest not running has no agent to ask: its `os` comes from its config's ostype
        memory.configAsked = true;
        firstReads.push({ run: () => this.configOf(api, guest, memory).then(() => undefined), cost: 1 });
      }
      const snapshotsRead = this.snapshotsRead(guest, memory, phase, wanted);
      if (snapshotsRead) (snapshotsRead === "first" ? firstReads : due).push({ run: () => this.fetchSnapshots(api, guest, memory), cost: 1 });
    }
    for (const key of this.guests.keys()) if (!guests.has(key)) this.problems.forget(`${key}:`);
    this.guests = guests;

    const listings = backupListings(inventory);
    this.backups = new Map([...this.backups].filter(([key]) => listings.some((listing) => listing.key === key)));
    const backedUp = inventory.guests.filter((guest) => wanted.backups.has(guest.vmid));
    // a listing holds a new backup when a guest of one of its nodes was backed up to it
    const wroteTo = (listing: BackupListing) =>
      backedUp.some((guest) => listing.nodes.includes(guest.node) && (wanted.backups.get(guest.vmid) ?? listing.storage) === listing.storage);
    for (const listing of listings) {
      const job: Job = { run: () => this.fetchBackups(api, listing), cost: 1 };
      if (!this.backups.has(listing.key)) firstReads.push(job);
      else if (wroteTo(listing) || isDue(cycle + spreadHash(listing.key), this.cadence.backups)) due.push(job);
    }
    await runLimited([...due, ...withinBudget([...firstReads, ...osReads], FIRST_READ_BUDGET)].map((job) => job.run), CONCURRENCY);
    return this.detailsOf(inventory);
  }

  /** Whether some backup storage has been listed (else nothing is known of backups). */
  get backupsListed(): boolean {
    return this.backups.size > 0;
  }

  /** Whether a guest's IPs are read in this cycle: its first reading, due (cadence, task feed, agent retry), or not. */
  private ipsRead(guest: GuestInfo, memory: GuestMemory, phase: number, wanted: WantedDetails): "first" | "due" | null {
    if (guest.status !== "running") return null;
    if (memory.ips === undefined) return "first";
    if (wanted.ips.has(guest.vmid)) {
      memory.silentUntil = 0;
      return "due";
    }
    return isDue(phase, this.cadence.ips) || this.agentRetryDue(guest, memory) ? "due" : null;
  }

  /** Whether a guest's snapshots are listed in this cycle: its first reading, due (cadence, task feed), or not. */
  private snapshotsRead(guest: GuestInfo, memory: GuestMemory, phase: number, wanted: WantedDetails): "first" | "due" | null {
    if (guest.status === "unknown") return null;
    if (memory.snapshots === undefined) return "first";
    return wanted.snapshots.has(guest.vmid) || isDue(phase, this.cadence.snapshots) ? "due" : null;
  }

  /** A guest started in the last few minutes whose agent did not answer yet: asked again every few polls. */
  private agentRetryDue(guest: GuestInfo, memory: GuestMemory): boolean {
    return justStarted(guest) && memory.silentUntil > 0 && memory.silentUntil === this.cycle;
  }

  /** Fetches the given details of one guest now (after a command, or a refresh request). */
  async refresh(api: PveApi, inventory: Inventory, guest: GuestInfo, kinds: DetailKind[]): Promise<ReadonlyMap<DeviceKey, GuestDetails>> {
    const key = guestKey(guest.kind, guest.vmid);
    const memory = this.observe(guest, this.guests.get(key));
    this.guests.set(key, memory);
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
  private observe(guest: GuestInfo, memory: GuestMemory | undefined): GuestMemory {
    const running = guest.status === "running";
    if (!memory) return { running, uptime: guest.uptime, silentUntil: 0 };
    const restarted = (running && !memory.running) || (guest.uptime !== null && memory.uptime !== null && guest.uptime < memory.uptime);
    if (restarted) {
      delete memory.config;
      memory.agentOs?.newRun();
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
      const config = await this.configOf(api, guest, memory);
      if (config === undefined) return;
      if (!config.agent) {
        memory.ips = NO_IPS;
        delete memory.agentOs;
        return;
      }
      if (memory.silentUntil > this.cycle) return;
      try {
        memory.ips = ipsFromAgent((await api.agentInterfaces(guest.node, guest.vmid)).rows);
        (memory.agentOs ??= new AgentOs()).agentAnswered();
        this.problems.succeeded(`${key}:agent`, `The guest agent of ${key} answers again`);
      } catch (error) {
        memory.silentUntil = this.cycle + (justStarted(guest) ? AGENT_RETRY_CYCLES : SILENT_CYCLES);
        memory.ips ??= NO_IPS;
        this.problems.failed(`${key}:agent`, `The guest agent of ${key} does not answer; its IPs stay as last known and it is asked again in ${SILENT_CYCLES} cycles`, error);
      }
      return;
    }
    if (memory.silentUntil <= this.cycle) {
      try {
        memory.ips = ipsFromLxc((await api.lxcInterfaces(guest.node, guest.vmid)).rows);
        this.problems.succeeded(`${key}:interfaces`, `The interfaces of ${key} can be read again`);
        if (!memory.config) await this.configOf(api, guest, memory);
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
      const newest = newestBackups((await api.storageContent(listing.node, listing.storage, "backup", vmid)).rows);
      if (vmid === undefined) {
        this.backups.set(listing.key, newest);
      } else {
        const updated = new Map(this.backups.get(listing.key) ?? []);
        const time = newest.get(vmid);
        if (time === undefined) updated.delete(vmid);
        else updated.set(vmid, time);
        this.backups.set(listing.key, updated);
      }
      this.problems.succeeded(problem, `The backups on ${listing.storage} can be listed again`);
    } catch (error) {
      this.problems.failed(problem, `Cannot list the backups on storage ${listing.storage} (node ${listing.node}; needs Datastore.Audit); keeping the last known times`, error);
    }
  }

  /** Each guest's details: a new map; a guest's previous details object while its values are the same. */
  private detailsOf(inventory: Inventory): ReadonlyMap<DeviceKey, GuestDetails> {
    const newestBackup = this.newestBackupByVmid();
    const result = new Map<DeviceKey, GuestDetails>();
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      const memory = this.guests.get(key);
      const ips = memory?.ips ?? NO_IPS;
      const details: GuestDetails = Object.freeze({
        ipv4: ips.ipv4,
        ipv6: ips.ipv6,
        snapshots: memory?.snapshots?.snapshots ?? null,
        lastSnapshot: memory?.snapshots?.lastSnapshot ?? null,
        lastSnapshotTime: memory?.snapshots?.lastSnapshotTime ?? null,
        lastBackup: newestBackup.get(guest.vmid) ?? null,
        os: guestOs(memory?.agentOs, memory?.config?.os ?? null),
      });
      const kept = memory?.details !== undefined && sameValues(memory.details, details) ? memory.details : details;
      if (memory) memory.details = kept;
      result.set(key, kept);
    }
    return result;
  }

  private newestBackupByVmid(): Map<number, number> {
    const merged = new Map<number, number>();
    for (const newest of this.backups.values()) {
      for (const [vmid, time] of newest) if (time > (merged.get(vmid) ?? -Infinity)) merged.set(vmid, time);
    }
    return merged;
  }
}

function configFacts(kind: GuestInfo["kind"], config: GuestConfig): ConfigFacts {
  const os = osFromConfig(config);
  return kind === "qemu" ? { agent: agentEnabled(config), staticIps: NO_IPS, os } : { agent: false, staticIps: ipsFromLxcConfig(config), os };
}
