import { guestKey, type DeviceKey, type GuestInfo, type GuestRates, type Inventory, type IoCounters } from "./types.js";

/**
 * A running guest's last distinct counter reading, when it was first seen (epoch ms), and the rates
 * from the reading before it. Updated in place, with plain fields rather than an object per
 * reading: a history lives as long as its guest runs, and a new object per reading would reach the
 * old generation every cycle.
 */
interface History {
  latest: IoCounters;
  latestSeenAt: number;
  /** Whether `rates` come from two readings (not yet after a first reading or a restart). */
  rated: boolean;
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
      this.histories.set(key, { latest: guest.counters, latestSeenAt: now, rated: false, rates: NO_RATES });
      return NO_RATES;
    }
    const counters = guest.counters;
    if (sameCounters(history.latest, counters)) {
      if (history.rated && now - history.latestSeenAt > this.idleAfterMs) history.rates = ZERO_RATES;
      return history.rates;
    }
    if (wentDown(history.latest, counters)) {
      // The guest restarted between two polls: no rate this cycle rather than a negative spike.
      history.latest = counters;
      history.latestSeenAt = now;
      history.rated = false;
      history.rates = NO_RATES;
      return NO_RATES;
    }
    history.rates = ratesBetween(history.latest, counters, (now - history.latestSeenAt) / 1000);
    history.rated = true;
    history.latest = counters;
    history.latestSeenAt = now;
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

function ratesBetween(before: IoCounters, after: IoCounters, seconds: number): GuestRates {
  if (seconds <= 0) return NO_RATES;
  const rate = (from: number, to: number) => Math.round((to - from) / seconds);
  return {
    diskRead: rate(before.diskread, after.diskread),
    diskWrite: rate(before.diskwrite, after.diskwrite),
    netIn: rate(before.netin, after.netin),
    netOut: rate(before.netout, after.netout),
  };
}
