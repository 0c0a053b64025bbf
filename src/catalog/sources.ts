/*
 * What each device kind's rows read: the inventory's record of the device plus what the bridge
 * knows of it. Built fresh for each state; `previous` is the device's last published state.
 */
import type { DiskInfo } from "../inventory/disks.js";
import type { HealthState, NodeHealth } from "../inventory/health.js";
import type { TaskState } from "../inventory/task-feed.js";
import type { NodeTaskCounts } from "../inventory/tasks.js";
import type { GuestDetails, GuestInfo, GuestRates, Inventory, NodeInfo, StorageInfo } from "../inventory/types.js";
import type { ZfsPoolInfo } from "../inventory/zfs.js";
import type { CommandResult } from "../state/command-result.js";

export interface NodeSource {
  node: NodeInfo;
  guestsRunning: number;
  guestsTotal: number;
  /** This node's counts; undefined when /cluster/tasks lists none of its tasks. */
  tasks: NodeTaskCounts | undefined;
  /** Whether /cluster/tasks has been read (else the counts are unknown). */
  tasksKnown: boolean;
  health: NodeHealth | undefined;
  previous: { boot_time: string | null } | undefined;
  now: number;
}

export interface GuestSource {
  guest: GuestInfo;
  /** Slow details; undefined until first read. */
  details: GuestDetails | undefined;
  /** undefined before the first poll that gave rates. */
  rates: GuestRates | undefined;
  /** The latest result of a command that reached PVE. */
  lastAction: CommandResult | null;
  tasks: TaskState;
  previous: { name: string; boot_time: string | null } | undefined;
  now: number;
}

export interface StorageSource {
  storage: StorageInfo;
}

export interface ClusterSource {
  inventory: Inventory;
  tasks: TaskState;
  health: HealthState;
  /** Guests whose newest backup is older than `details.backup_max_age` or missing; null when no backup storage could be listed. */
  withoutRecentBackup: string[] | null;
}

export interface DiskSource {
  disk: DiskInfo;
}

export interface ZfsSource {
  pool: ZfsPoolInfo;
}
