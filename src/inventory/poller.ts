import type { Config } from "../config/schema.js";
import type { Logger } from "../log.js";
import type { ClusterStatusRow, GuestStatus, NodeStatus, PveVersion } from "../pve/schemas.js";
import type { PveApi } from "../pve/types.js";
import { buildInventory, buildResources, splitTags, type InventoryOptions, type ResourcesBuilt } from "./build.js";
import { countingApi } from "./counting.js";
import { deriveGuestStatus } from "./derive.js";
import { DEFAULT_CADENCE, DetailsCollector, type DetailCadence, type DetailKind, type WantedDetails } from "./details.js";
import { PollBudget } from "./poll-budget.js";
import { HealthReader, type HealthCadence, type HealthState } from "./health.js";
import { TaskFeed, type TaskChanges, type TaskState } from "./task-feed.js";
import { ProblemLog } from "./problems.js";
import { RateTracker } from "./rates.js";
import { guestKey, type DeviceKey, type GuestDetails, type GuestInfo, type GuestRates, type Inventory } from "./types.js";

/** Everything one poll learned: immutable values, handed from one poll to the next. */
export interface PollOutcome {
  inventory: Inventory;
  rates: ReadonlyMap<DeviceKey, GuestRates>;
  details: ReadonlyMap<DeviceKey, GuestDetails>;
  /** Tasks and backups from /cluster/tasks and the vzdump logs. */
  tasks: TaskState;
  /** Disks, ZFS pools, updates, HA and Ceph. */
  health: HealthState;
  /** Whether some backup storage could be listed (else nothing is known of backups). */
  backupsListed: boolean;
  /** PVE requests this cycle (or this refresh). */
  requests: number;
  /** Rows of /cluster/resources that failed validation and were skipped. */
  skippedRows: number;
}

export interface PollerOptions {
  clusterNameOverride?: string;
  filter: Config["filter"];
  log: Logger;
  now?: () => number;
  /** In cycles; default 10, 30, 30. */
  cadence?: DetailCadence;
  /** Seconds; default: disks, updates, HA and Ceph never read. */
  health?: HealthCadence;
}

/** `/version` is the health panel's PVE version; nodes carry their own, so it is read rarely. */
const VERSION_EVERY_CYCLES = 100;
/** /cluster/resources lags up to 10 s behind a live read; a live guest status wins for this long. */
const LIVE_STATUS_HOLD_MS = 15_000;

interface LiveGuest {
  guest: GuestInfo;
  until: number;
}

/**
 * Reads the cluster once per cycle with a fixed budget — /cluster/resources, /cluster/status,
 * /cluster/tasks and one /nodes/{n}/status per online node — plus slow details: read when the
 * task feed says they changed, and spread across cycles on their cadence.
 */
export class Poller {
  private readonly rates = new RateTracker();
  private readonly details: DetailsCollector;
  private readonly tasks: TaskFeed;
  private readonly health: HealthReader;
  private readonly problems: ProblemLog;
  private readonly now: () => number;
  private readonly live = new Map<DeviceKey, LiveGuest>();
  private outcome: PollOutcome | null = null;
  private version: PveVersion | null = null;
  private cycle = 0;

  constructor(
    private readonly api: PveApi,
    private readonly options: PollerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.details = new DetailsCollector(options.log, options.cadence ?? DEFAULT_CADENCE);
    this.tasks = new TaskFeed(options.log, this.now);
    this.health = new HealthReader(options.log, options.health ?? { disks: 0, updates: 0, cluster: 0 }, this.now);
    this.problems = new ProblemLog(options.log);
  }

  /** The latest outcome, or null before the first successful poll. */
  get current(): PollOutcome | null {
    return this.outcome;
  }

  /** One full cycle. Throws when /cluster/resources fails (the cycle failed: the caller keeps the previous state). */
  async poll(): Promise<PollOutcome> {
    const { api, requests } = countingApi(this.api);
    const cycle = this.cycle++;
    const previous = this.outcome?.inventory;
    const resources = await this.readResources(api, previous);
    const [clusterStatus, nodeStatuses, taskReading] = await Promise.all([
      this.readClusterStatus(api),
      this.readNodeStatuses(api, resources.onlineNodes),
      this.tasks.read(api),
      cycle % VERSION_EVERY_CYCLES === 0 ? this.readVersion(api) : Promise.resolve(),
    ]);
    const built = buildInventory(
      { resources: resources.built, clusterStatus, nodeStatuses, version: this.version, takenAt: this.now() },
      this.inventoryOptions(previous),
    );
    const inventory = this.withLiveGuests(built);
    const rates = this.rates.update(inventory);
    // The details plan their reads first, then the health reader takes what is left of the budget.
    const budget = PollBudget.forPoll(resources.onlineNodes.length, inventory.guests.length, requests());
    const detailsRead = this.details.collect(api, inventory, cycle, wantedDetails(taskReading.changes), budget);
    const [details, health] = await Promise.all([detailsRead, this.health.read(api, inventory, budget)]);
    this.outcome = {
      inventory,
      rates,
      details,
      tasks: taskReading.state,
      health,
      backupsListed: this.details.backupsListed,
      requests: requests(),
      skippedRows: resources.skipped,
    };
    return this.outcome;
  }

  /**
   * /cluster/resources, built at once into guests and storages (buildResources) in a frame of its
   * own: its thousands of rows are garbage before the cycle's other requests are awaited.
   */
  private async readResources(api: PveApi, previous: Inventory | undefined): Promise<{ built: ResourcesBuilt; onlineNodes: string[]; skipped: number }> {
    const resources = await api.clusterResources();
    const built = buildResources(resources.rows, this.inventoryOptions(previous));
    // the node rows are already filtered by `filter.nodes`
    const onlineNodes: string[] = [];
    for (const row of built.nodeRows) if (row.status === "online") onlineNodes.push(row.node);
    return { built, onlineNodes, skipped: resources.skipped };
  }

  private inventoryOptions(previous: Inventory | undefined): InventoryOptions {
    return { clusterNameOverride: this.options.clusterNameOverride, filter: this.options.filter, ...(previous ? { previous } : {}) };
  }

  /**
   * Re-reads one guest now from status/current and merges it into the current inventory with the
   * same derivation; with `details`, also refreshes those details. Throws PveHttpError as PVE
   * answered (e.g. the guest moved: the caller re-polls).
   */
  async refreshGuest(key: DeviceKey, options: { details?: DetailKind[] } = {}): Promise<PollOutcome> {
    const current = this.outcome;
    const known = current?.inventory.guests.find((guest) => guestKey(guest.kind, guest.vmid) === key);
    // Before the first poll, or a guest created since: a full poll is the only way to learn it.
    if (!current || !known) return this.poll();
    const { api, requests } = countingApi(this.api);
    const status = await api.guestStatus(known.kind, known.node, known.vmid);
    const guest = mergeLiveStatus(known, status);
    this.live.set(key, { guest, until: this.now() + LIVE_STATUS_HOLD_MS });
    const inventory: Inventory = {
      ...current.inventory,
      guests: current.inventory.guests.map((item) => (guestKey(item.kind, item.vmid) === key ? guest : item)),
    };
    const details =
      options.details && options.details.length > 0
        ? await this.details.refresh(api, inventory, guest, options.details)
        : current.details;
    this.outcome = { ...current, inventory, details, requests: requests() };
    return this.outcome;
  }

  /** Keeps a guest's live status over the lagging resources row until they agree or the hold ends. */
  private withLiveGuests(inventory: Inventory): Inventory {
    if (this.live.size === 0) return inventory;
    const now = this.now();
    const guests = inventory.guests.map((guest) => {
      const key = guestKey(guest.kind, guest.vmid);
      const live = this.live.get(key);
      if (!live) return guest;
      if (now > live.until || live.guest.status === guest.status || live.guest.node !== guest.node) {
        this.live.delete(key);
        return guest;
      }
      return { ...guest, status: live.guest.status, lock: live.guest.lock, uptime: live.guest.uptime, cpu: live.guest.cpu };
    });
    for (const [key, live] of this.live) if (now > live.until) this.live.delete(key);
    return { ...inventory, guests };
  }

  private async readClusterStatus(api: PveApi): Promise<ClusterStatusRow[] | null> {
    try {
      const rows = (await api.clusterStatus()).rows;
      this.problems.succeeded("cluster-status", "GET /cluster/status answers again");
      return rows;
    } catch (error) {
      this.problems.failed("cluster-status", "GET /cluster/status failed; keeping the last known cluster name, quorum and node addresses", error);
      return null;
    }
  }

  private async readNodeStatuses(api: PveApi, nodes: string[]): Promise<Map<string, NodeStatus>> {
    const answers = await Promise.all(
      nodes.map(async (node) => {
        try {
          const status = await api.nodeStatus(node);
          this.problems.succeeded(`node/${node}:status`, `GET /nodes/${node}/status answers again`);
          return [node, status] as const;
        } catch (error) {
          this.problems.failed(`node/${node}:status`, `GET /nodes/${node}/status failed; keeping its last known load, swap, kernel and version`, error);
          return undefined;
        }
      }),
    );
    return new Map(answers.filter((answer) => answer !== undefined));
  }

  private async readVersion(api: PveApi): Promise<void> {
    try {
      this.version = await api.version();
      this.problems.succeeded("version", "GET /version answers again");
    } catch (error) {
      this.problems.failed("version", "GET /version failed; keeping the last known PVE version", error);
    }
  }
}

/** The details the task feed says changed: read them in this poll. */
function wantedDetails(changes: TaskChanges): WantedDetails {
  return {
    ips: new Set(changes.started.map((end) => end.vmid)),
    snapshots: new Set(changes.snapshots.map((end) => end.vmid)),
    backups: new Map(changes.backups.map((end) => [end.vmid, end.storage])),
  };
}

/** A guest as status/current shows it, derived exactly as a resources row would be. */
function mergeLiveStatus(known: GuestInfo, status: GuestStatus): GuestInfo {
  const derived = deriveGuestStatus({ status: status.status, qmpstatus: status.qmpstatus, lock: status.lock, nodeOnline: true });
  const ha = status.ha;
  return {
    ...known,
    name: status.name ?? known.name,
    status: derived,
    // status/current's cpu is per API worker and may read 0: keep the poll's while the run state holds.
    cpu: derived === known.status ? known.cpu : (status.cpu ?? known.cpu),
    cpus: status.cpus ?? known.cpus,
    memUsed: status.mem ?? known.memUsed,
    memTotal: status.maxmem ?? known.memTotal,
    diskUsed: known.kind === "lxc" ? (status.disk ?? known.diskUsed) : null,
    diskTotal: status.maxdisk ?? known.diskTotal,
    uptime: status.uptime ?? known.uptime,
    haState: ha === undefined ? known.haState : ha.managed === true ? (ha.state ?? known.haState) : null,
    lock: status.lock ?? null,
    tags: status.tags !== undefined ? splitTags(status.tags) : known.tags,
  };
}
