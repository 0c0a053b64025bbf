import { guestKey, type DeviceKey, type GuestInfo, type GuestRates, type Inventory, type IoCounters } from "./types.js";

interface Reading {
  counters: IoCounters;
  /** When this distinct reading was first seen (epoch ms). */
  seenAt: number;
}

interface History {
  latest: Reading;
  before: Reading | null;
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

  /** Every guest's rates now; the map is the tracker's own, updated in place by the next call. */
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
    if (guest.counters === null) return NO_RATES;
    const history = this.histories.get(key);
    if (!history) {
      this.histories.set(key, { latest: { counters: guest.counters, seenAt: now }, before: null, rates: NO_RATES });
      return NO_RATES;
    }
    if (sameCounters(history.latest.counters, guest.counters)) {
      if (history.before !== null && now - history.latest.seenAt > this.idleAfterMs) history.rates = ZERO_RATES;
      return history.rates;
    }
    // A history is updated in place: it lives as long as its guest runs (a new object per cycle
    // would reach the old generation every cycle, for thousands of guests).
    const reading: Reading = { counters: guest.counters, seenAt: now };
    if (wentDown(history.latest.counters, reading.counters)) {
      // The guest restarted between two polls: no rate this cycle rather than a negative spike.
      history.latest = reading;
      history.before = null;
      history.rates = NO_RATES;
      return NO_RATES;
    }
    history.rates = ratesBetween(history.latest, reading);
    history.before = history.latest;
    history.latest = reading;
    return history.rates;
  }
}

/** Drops the entries of guests no longer in the inventory. */
function keepOnly(map: Map<DeviceKey, unknown>, inventory: Inventory): void {
  const present = new Set<DeviceKey>();
  for (const guest of inventory.guests) present.add(guestKey(guest.kind, guest.vmid));
  for (const key of map.keys()) if (!present.has(key)) map.delete(key);
}

function sameCounters(a: IoCounters, b: IoCounters): boolean {
  return a.netin === b.netin && a.netout === b.netout && a.diskread === b.diskread && a.diskwrite === b.diskwrite;
}

function wentDown(before: IoCounters, after: IoCounters): boolean {
  return after.netin < before.netin || after.netout < before.netout || after.diskread < before.diskread || after.diskwrite < before.diskwrite;
}

function ratesBetween(before: Reading, after: Reading): GuestRates {
  const seconds = (after.seenAt - before.seenAt) / 1000;
  if (seconds <= 0) return NO_RATES;
  const rate = (from: number, to: number) => Math.round((to - from) / seconds);
  return {
    diskRead: rate(before.counters.diskread, after.counters.diskread),
    diskWrite: rate(before.counters.diskwrite, after.counters.diskwrite),
    netIn: rate(before.counters.netin, after.counters.netin),
    netOut: rate(before.counters.netout, after.counters.netout),
  };
}
