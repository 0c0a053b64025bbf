import { guestKey, type DeviceKey, type GuestInfo, type GuestRates, type Inventory, type IoCounters } from "./types.js";

/**
 * A running guest's last distinct counter reading, when it was first seen (epoch ms), and the rates
 * from the reading before it. All updated in place: a history lives as long as its guest runs, and
 * a new object per reading or per rate would reach the old generation every cycle.
 */
interface History {
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  seenAt: number;
  /** This guest's own rates object, rewritten with each new reading. */
  own: { diskRead: number; diskWrite: number; netIn: number; netOut: number };
  /** What it reports: `own` once two readings gave rates, else the shared "none yet" or "zero". */
  rates: GuestRates;
}

const NO_RATES: GuestRates = Object.freeze({ diskRead: null, diskWrite: null, netIn: null, netOut: null });
const ZERO_RATES: GuestRates = Object.freeze({ diskRead: 0, diskWrite: 0, netIn: 0, netOut: 0 });

/** PVE refreshes counters every ~10 s; a reading unchanged for longer than this means no traffic. */
const DEFAULT_IDLE_AFTER_MS = 25_000;

/**
 * Byte rates from the last two *distinct* counter readings of each guest. PVE's counters move only
 * every ~10 s, so polling faster sees the same reading twice: that keeps the previous rate (a 0
 * would be a lie) until the reading has stayed the same for longer than PVE's refresh period.
 */
export class RateTracker {
  private readonly histories = new Map<DeviceKey, History>();
  /** The rates of the last update, updated in place (a new 2,000-entry map per poll would outlive it). */
  private readonly current = new Map<DeviceKey, GuestRates>();
  private readonly idleAfterMs: number;

  constructor(options: { idleAfterMs?: number } = {}) {
    this.idleAfterMs = options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS;
  }

  /**
   * Every guest's rates now. The map and the rates objects in it are the tracker's own, updated in
   * place by the next call: copy the values that must outlast it.
   */
  update(inventory: Inventory): ReadonlyMap<DeviceKey, GuestRates> {
    const result = this.current;
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      result.set(key, this.updateGuest(key, guest, inventory.takenAt));
    }
    // more entries than guests: some vanished (their rates and histories go)
    if (result.size !== inventory.guests.length) {
      keepOnly(result, inventory);
      for (const key of this.histories.keys()) if (!result.has(key)) this.histories.delete(key);
    }
    return result;
  }

  private updateGuest(key: DeviceKey, guest: GuestInfo, now: number): GuestRates {
    if (guest.status === "stopped" || guest.status === "hibernated") {
      // Counters restart from 0 with the guest: the next run begins a fresh history.
      this.histories.delete(key);
      return ZERO_RATES;
    }
    const counters = guest.counters;
    if (counters === null) return NO_RATES;
    const history = this.histories.get(key);
    if (!history) {
      const fresh: History = { netin: 0, netout: 0, diskread: 0, diskwrite: 0, seenAt: now, own: { diskRead: 0, diskWrite: 0, netIn: 0, netOut: 0 }, rates: NO_RATES };
      note(fresh, counters, now);
      this.histories.set(key, fresh);
      return NO_RATES;
    }
    if (sameReading(history, counters)) {
      if (history.rates !== NO_RATES && now - history.seenAt > this.idleAfterMs) history.rates = ZERO_RATES;
      return history.rates;
    }
    const seconds = (now - history.seenAt) / 1000;
    if (wentDown(history, counters) || seconds <= 0) {
      // The guest restarted between two polls: no rate this cycle rather than a negative spike.
      history.rates = NO_RATES;
    } else {
      const own = history.own;
      own.diskRead = Math.round((counters.diskread - history.diskread) / seconds);
      own.diskWrite = Math.round((counters.diskwrite - history.diskwrite) / seconds);
      own.netIn = Math.round((counters.netin - history.netin) / seconds);
      own.netOut = Math.round((counters.netout - history.netout) / seconds);
      history.rates = own;
    }
    note(history, counters, now);
    return history.rates;
  }
}

/** Notes a new distinct reading. */
function note(history: History, counters: IoCounters, now: number): void {
  history.netin = counters.netin;
  history.netout = counters.netout;
  history.diskread = counters.diskread;
  history.diskwrite = counters.diskwrite;
  history.seenAt = now;
}

/** Drops the entries of guests no longer in the inventory. */
function keepOnly(map: Map<DeviceKey, unknown>, inventory: Inventory): void {
  const present = new Set<DeviceKey>();
  for (const guest of inventory.guests) present.add(guestKey(guest.kind, guest.vmid));
  for (const key of map.keys()) if (!present.has(key)) map.delete(key);
}

function sameReading(history: History, counters: IoCounters): boolean {
  return history.netin === counters.netin && history.netout === counters.netout && history.diskread === counters.diskread && history.diskwrite === counters.diskwrite;
}

function wentDown(history: History, counters: IoCounters): boolean {
  return counters.netin < history.netin || counters.netout < history.netout || counters.diskread < history.diskread || counters.diskwrite < history.diskwrite;
}
