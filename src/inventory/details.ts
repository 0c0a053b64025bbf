import type { Logger } from "../log.js";
import type { PveApi } from "../pve/types.js";
import { sameValues } from "../same-values.js";
import { guestOs } from "./agent-os.js";
import { newestBackups } from "./detail-rows.js";
import { GuestReads, NO_IPS, type GuestMemory } from "./guest-reads.js";
import { runLimited, spreadHash } from "./limit.js";
import {
  backupListings,
  holdsBackups,
  isDue,
  justStarted,
  listingOf,
  WaitingReads,
  withinBudget,
  type BackupListing,
  type Job,
  type ReadReason,
  type WaitableJob,
} from "./detail-plan.js";
import { PollBudget } from "./poll-budget.js";
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
/** Details read at once: the client keeps two connections per host for reads (a handshake each). */
const CONCURRENCY = 2;
/** First readings of guests seen for the first time, at most this many requests per poll (CONTRACT 4). */
const FIRST_READ_BUDGET = 50;

/**
 * The slow details of guests (IPs, OS, snapshots, newest backup). A guest seen for the first time
 * is read at once (within the first-read budget per poll), and a detail a task end changed in the
 * poll that sees it end; otherwise each detail has its cadence, spread across cycles: a guest is
 * due when `(cycle + hash(vmid)) % cadence === 0`, and a due read without room in the poll's budget
 * waits for the next poll (PollBudget, WaitingReads). A failed call keeps the last value. Each
 * collect hands out a new map of immutable details.
 */
export class DetailsCollector {
  private guests = new Map<DeviceKey, GuestMemory>();
  /** Per backup listing (`shared/<storage>` or `<node>/<storage>`): vmid → newest ctime (ms). */
  private backups = new Map<string, ReadonlyMap<number, number>>();
  private readonly waiting = new WaitingReads();
  private readonly problems: ProblemLog;
  private readonly reads: GuestReads;
  private cycle = 0;

  constructor(
    log: Logger,
    private readonly cadence: DetailCadence = DEFAULT_CADENCE,
  ) {
    this.problems = new ProblemLog(log);
    this.reads = new GuestReads(this.problems);
  }

  /**
   * Fetches what is due in this cycle; returns the details of every guest in the inventory. What a
   * task end asked for and first readings are read at once; reads on their cadence take what the
   * poll's budget has left, the others wait for the next poll. The planning is done before the
   * first request, so a caller may hand what is left of the budget to other readers at once.
   */
  async collect(
    api: PveApi,
    inventory: Inventory,
    cycle: number,
    wanted: WantedDetails = NOTHING_WANTED,
    budget: PollBudget = PollBudget.unlimited(),
  ): Promise<ReadonlyMap<DeviceKey, GuestDetails>> {
    this.cycle = cycle;
    /** Asked for by a task end: read now. */
    const asked: Job[] = [];
    const firstReads: Job[] = [];
    /** On their cadence and the agent's retries: they may wait for a poll with room. */
    const waitable: WaitableJob[] = [];
    /** get-osinfo of guests whose agent answered: after the first reads, within the same budget. */
    const osReads: Job[] = [];
    const lists = { asked, firstReads, waitable };
    const guests = new Map<DeviceKey, GuestMemory>();
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      const memory = this.observe(guest, this.guests.get(key));
      guests.set(key, memory);
      const phase = cycle + spreadHash(guest.vmid);
      const ips = this.ipsRead(guest, memory, phase, wanted, key);
      if (ips) this.plan(ips, { key: `ips:${key}`, cadence: this.cadence.ips, run: () => this.reads.ips(api, guest, memory, this.cycle), cost: memory.config ? 1 : 2 }, lists);
      else this.waiting.drop("ips", key);
      const agentOs = memory.agentOs;
      if (guest.status === "running" && agentOs?.due) osReads.push({ run: () => agentOs.read(api, guest, this.problems), cost: 1 });
      if (guest.status !== "running" && guest.status !== "unknown" && !memory.config && !memory.configAsked) {
        // a guest not running has no agent to ask: its `os` comes from its config's ostype
        memory.configAsked = true;
        firstReads.push({ run: () => this.reads.config(api, guest, memory).then(() => undefined), cost: 1 });
      }
      const snapshots = this.snapshotsRead(guest, memory, phase, wanted, key);
      if (snapshots) this.plan(snapshots, { key: `snapshots:${key}`, cadence: this.cadence.snapshots, run: () => this.reads.snapshots(api, guest, memory), cost: 1 }, lists);
      else this.waiting.drop("snapshots", key);
    }
    for (const key of this.guests.keys()) {
      if (guests.has(key)) continue;
      this.problems.forget(`${key}:`);
      for (const kind of ["ips", "snapshots"]) this.waiting.drop(kind, key);
    }
    this.guests = guests;

    const listings = backupListings(inventory);
    this.backups = new Map([...this.backups].filter(([key]) => listings.some((listing) => listing.key === key)));
    const backedUp = inventory.guests.filter((guest) => wanted.backups.has(guest.vmid));
    // a listing holds a new backup when a guest of one of its nodes was backed up to it
    const wroteTo = (listing: BackupListing) =>
      backedUp.some((guest) => listing.nodes.includes(guest.node) && (wanted.backups.get(guest.vmid) ?? listing.storage) === listing.storage);
    for (const listing of listings) {
      const job: WaitableJob = { key: `backups:${listing.key}`, cadence: this.cadence.backups, run: () => this.fetchBackups(api, listing), cost: 1 };
      if (!this.backups.has(listing.key)) firstReads.push(job);
      else if (wroteTo(listing)) asked.push(job);
      else if (isDue(cycle + spreadHash(listing.key), this.cadence.backups) || this.waiting.has("backups", listing.key)) waitable.push(job);
    }
    const now = [...asked, ...withinBudget([...firstReads, ...osReads], FIRST_READ_BUDGET)];
    for (const job of now) budget.spend(job.cost);
    await runLimited([...now, ...this.waiting.withRoom(waitable, budget)].map((job) => job.run), CONCURRENCY);
    return this.detailsOf(inventory);
  }

  /** Files a read under what its reason makes it. */
  private plan(reason: NonNullable<ReadReason>, job: WaitableJob, lists: { asked: Job[]; firstReads: Job[]; waitable: WaitableJob[] }): void {
    if (reason === "cadence") return void lists.waitable.push(job);
    // read now for another reason: no longer waiting
    this.waiting.done(job.key);
    (reason === "first" ? lists.firstReads : lists.asked).push(job);
  }

  /** Whether some backup storage has been listed (else nothing is known of backups). */
  get backupsListed(): boolean {
    return this.backups.size > 0;
  }

  /** Why a guest's IPs are read in this cycle (its first reading, the task feed, its cadence or agent retry, a wait), or null. */
  private ipsRead(guest: GuestInfo, memory: GuestMemory, phase: number, wanted: WantedDetails, key: DeviceKey): ReadReason {
    if (guest.status !== "running") return null;
    if (memory.ips === undefined) return "first";
    if (wanted.ips.has(guest.vmid)) {
      memory.silentUntil = 0;
      return "asked";
    }
    return isDue(phase, this.cadence.ips) || this.agentRetryDue(guest, memory) || this.waiting.has("ips", key) ? "cadence" : null;
  }

  /** Why a guest's snapshots are listed in this cycle (its first reading, the task feed, its cadence, a wait), or null. */
  private snapshotsRead(guest: GuestInfo, memory: GuestMemory, phase: number, wanted: WantedDetails, key: DeviceKey): ReadReason {
    if (guest.status === "unknown") return null;
    if (memory.snapshots === undefined) return "first";
    if (wanted.snapshots.has(guest.vmid)) return "asked";
    return isDue(phase, this.cadence.snapshots) || this.waiting.has("snapshots", key) ? "cadence" : null;
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
      jobs.push(() => this.reads.ips(api, guest, memory, this.cycle));
    }
    if (kinds.includes("snapshots")) jobs.push(() => this.reads.snapshots(api, guest, memory));
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
