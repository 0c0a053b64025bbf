/*
 * What each device kind's rows read: the inventory's record of the device plus what the bridge
 * knows of it. Built fresh for each state; `previous` is the device's last published state.
 */
import type { GuestDetails, GuestInfo, GuestRates, NodeInfo, StorageInfo } from "../inventory/types.js";
import type { CommandResult } from "../state/command-result.js";

export interface NodeSource {
  node: NodeInfo;
  guestsRunning: number;
  guestsTotal: number;
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
  previous: { name: string; boot_time: string | null } | undefined;
  now: number;
}

export interface StorageSource {
  storage: StorageInfo;
}
