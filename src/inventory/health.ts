import type { Logger } from "../log.js";
import { PveForbiddenError } from "../pve/errors.js";
import type { DiskSmart } from "../pve/health-schemas.js";
import type { PveApi } from "../pve/types.js";
import { hasCephStorage, toCephHealth, toHaHealth, UNKNOWN_HA, type HaHealth } from "./cluster-health.js";
import { isPartition, toDiskInfos, type DiskInfo } from "./disks.js";
import { spreadHash } from "./limit.js";
import { PollBudget } from "./poll-budget.js";
import { ProblemLog } from "./problems.js";
import type { Inventory } from "./types.js";
import { toUpdatesInfo, UNKNOWN_UPDATES, type UpdatesInfo } from "./updates.js";
import { toZfsPoolInfos, type ZfsPoolInfo } from "./zfs.js";

/** One node's health readings; null where never read (or not allowed). An immutable value. */
export interface NodeHealth {
  disks: readonly DiskInfo[] | null;
  pools: readonly ZfsPoolInfo[] | null;
  updates: UpdatesInfo;
}

/** The health data of CONTRACT 8 that the core poll does not read: per node, and the cluster's HA and Ceph. */
export interface HealthState {
  nodes: ReadonlyMap<string, NodeHealth>;
  ha: HaHealth;
  ceph: string | null;
}

/** Every node's disks (those of a node not online are its last known ones). */
export function allDisks(health: HealthState): DiskInfo[] {
  return [...health.nodes.values()].flatMap((node) => node.disks ?? []);
}

/** Every node's ZFS pools. */
export function allPools(health: HealthState): ZfsPoolInfo[] {
  return [...health.nodes.values()].flatMap((node) => node.pools ?? []);
}

export const NO_HEALTH: HealthState = Object.freeze({ nodes: new Map(), ha: UNKNOWN_HA, ceph: null });

export interface HealthCadence {
  /** Seconds between two readings of a node's disks (with SMART) and ZFS pools; 0: never. */
  disks: number;
  /** Seconds between two readings of a node's pending updates; 0: never. */
  updates: number;
  /** Seconds between two readings of the HA manager's and Ceph's status; 0: never. */
  cluster: number;
}

/**
 * Reads the slow health data on its own cadence (SMART queries can wake sleeping drives: never
 * per poll). A failed read keeps the last value and is logged once; a 403 leaves the value null.
 */
export class HealthReader {
  private state: HealthState = NO_HEALTH;
  private readonly lastRead = new Map<string, number>();
  private readonly problems: ProblemLog;

  constructor(
    log: Logger,
    private readonly cadence: HealthCadence,
    private readonly now: () => number,
  ) {
    this.problems = new ProblemLog(log);
  }

  get current(): HealthState {
    return this.state;
  }

  /**
   * One poll's reading: what is due, planned before the first request (the details collector
   * planned its reads first; these take what the poll's budget has left).
   */
  async read(api: PveApi, inventory: Inventory, budget: PollBudget = PollBudget.unlimited()): Promise<HealthState> {
    const hasCeph = hasCephStorage(inventory.storages.map((storage) => storage.type));
    const plans = inventory.nodes
      .filter((node) => node.status === "online")
      .map((node) => {
        const known = this.state.nodes.get(node.name) ?? { disks: null, pools: null, updates: UNKNOWN_UPDATES };
        // a node's disks cost its list, one SMART read per disk and its ZFS pools
        const disks = this.take(`${node.name}:disks`, this.cadence.disks, 2 + (known.disks?.length ?? 0), budget);
        const updates = this.take(`${node.name}:updates`, this.cadence.updates, 1, budget);
        return { node, known, disks, updates };
      });
    const cluster = this.take("cluster", this.cadence.cluster, hasCeph ? 2 : 1, budget);
    const nodes = new Map<string, NodeHealth>();
    await Promise.all(
      plans.map(async ({ node, known, ...due }) => {
        const [disks, pools] = due.disks ? await Promise.all([this.readDisks(api, node.name), this.readPools(api, node.name)]) : [known.disks, known.pools];
        const updates = due.updates ? await this.readUpdates(api, node.name, node.pveVersion) : known.updates;
        nodes.set(node.name, { disks: disks ?? known.disks, pools: pools ?? known.pools, updates });
      }),
    );
    // a node that is not online keeps what was last read (its disks and pools go offline with it)
    for (const [name, health] of this.state.nodes) if (!nodes.has(name) && inventory.nodes.some((node) => node.name === name)) nodes.set(name, health);
    let { ha, ceph } = this.state;
    if (cluster) {
      ha = await this.readHa(api);
      ceph = hasCeph ? await this.readCeph(api) : null;
    }
    this.state = Object.freeze({ nodes, ha, ceph });
    return this.state;
  }

  /**
   * Whether `key` is read in this poll (and notes it read); seconds 0 turns it off. The first
   * reading is at once; the next comes a key-dependent part of the cadence sooner, so that the
   * nodes' disks, SMART and ZFS reads (and their update checks) fall in different polls, not all in
   * one. A due read without room in the poll's budget waits, at most a whole cadence more.
   */
  private take(key: string, seconds: number, cost: number, budget: PollBudget): boolean {
    if (seconds <= 0) return false;
    const last = this.lastRead.get(key);
    const now = this.now();
    if (last === undefined) {
      budget.spend(cost);
      this.lastRead.set(key, now - (spreadHash(key) % 1000) * seconds);
      return true;
    }
    const waited = now - last;
    if (waited < seconds * 1000 || !budget.take(cost, waited >= 2 * seconds * 1000)) return false;
    this.lastRead.set(key, now);
    return true;
  }

  private async readDisks(api: PveApi, node: string): Promise<DiskInfo[] | null> {
    try {
      const rows = (await api.diskList(node)).rows.filter((row) => !isPartition(row));
      const smart = new Map<string, DiskSmart>();
      for (const row of rows) {
        try {
          smart.set(row.devpath, await api.diskSmart(node, row.devpath));
        } catch {
          // no SMART answer for this disk: its temperature stays null
        }
      }
      this.problems.succeeded(`${node}:disks`, `The disks of ${node} can be listed again`);
      return toDiskInfos(node, rows, smart);
    } catch (error) {
      this.problems.failed(`${node}:disks`, `Cannot list the disks of ${node} (needs Sys.Audit on /nodes/${node}); keeping the last known disks`, error);
      return null;
    }
  }

  private async readPools(api: PveApi, node: string): Promise<ZfsPoolInfo[] | null> {
    try {
      const pools = toZfsPoolInfos(node, (await api.zfsPools(node)).rows);
      this.problems.succeeded(`${node}:zfs`, `The ZFS pools of ${node} can be listed again`);
      return pools;
    } catch (error) {
      this.problems.failed(`${node}:zfs`, `Cannot list the ZFS pools of ${node}; keeping the last known pools`, error);
      return null;
    }
  }

  private async readUpdates(api: PveApi, node: string, pveVersion: string | null): Promise<UpdatesInfo> {
    try {
      const updates = toUpdatesInfo((await api.aptUpdates(node)).rows, pveVersion);
      this.problems.succeeded(`${node}:updates`, `The pending updates of ${node} can be read again`);
      return updates;
    } catch (error) {
      const hint = error instanceof PveForbiddenError ? ` (not allowed: needs ${error.privilege ?? "Sys.Modify"} on ${error.aclPath ?? `/nodes/${node}`})` : "";
      this.problems.failed(`${node}:updates`, `Cannot read the pending updates of ${node}${hint}; they stay unknown`, error);
      return UNKNOWN_UPDATES;
    }
  }

  private async readHa(api: PveApi): Promise<HaHealth> {
    try {
      return toHaHealth((await api.haStatus()).rows);
    } catch (error) {
      this.problems.failed("ha", "Cannot read the HA manager status (needs Sys.Audit on /)", error);
      return UNKNOWN_HA;
    }
  }

  private async readCeph(api: PveApi): Promise<string | null> {
    try {
      return toCephHealth(await api.cephStatus());
    } catch {
      // PVE answers an error for an external Ceph cluster: not a problem to report
      return null;
    }
  }
}
