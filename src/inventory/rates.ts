import { guestKey, type DeviceKey, type GuestInfo, type GuestRates, type Inventory, type IoCounters } from "./types.js";

/** A running guest's last distinct counter reading, when it was first seen (epoch ms), and the rates it gave. */
interface History {
  readonly counters: IoCounters;
  readonly seenAt: number;
  readonly rates: GuestRates;
}

const NO_RATES: GuestRates = Object.freeze({ diskRead: null, diskWrite: null, netIn: null, netOut: null });
const ZERO_RATES: GuestRates = Object.freeze({ diskRead: 0, diskWrite: 0, netIn: 0, netOut: 0 });

/** PVE refreshes counters every ~10 s; a reading unchanged for longer than this means no traffic. */
const DEFAULT_IDLE_AFTER_MS = 25_000;

/**
 * Byte rates from the last two *distinct* counter readings of each guest. PVE's counters move only
 * every ~10 s, so polling faster sees the same reading twice: that keeps the previous rate (a 0
 * would be a lie) until the reading has stayed the same for longer than PVE's refresh period.
 * Each update returns a new map of immutable rates; a guest whose rates did not change keeps
 * last update's object.
 */
export class RateTracker {
  private histories = new Map<DeviceKey, History>();
  private readonly idleAfterMs: number;

  constructor(options: { idleAfterMs?: number } = {}) {
    this.idleAfterMs = options.idleAfterMs ?? DEFAULT_IDLE_AFTER_MS;
  }

  /** Every guest's rates now; guests no longer in the inventory are forgotten. */
  update(inventory: Inventory): ReadonlyMap<DeviceKey, GuestRates> {
    const rates = new Map<DeviceKey, GuestRates>();
    const histories = new Map<DeviceKey, History>();
    for (const guest of inventory.guests) {
      const key = guestKey(guest.kind, guest.vmid);
      const history = this.next(this.histories.get(key), guest, inventory.takenAt);
      if (history) histories.set(key, history);
      rates.set(key, history?.rates ?? (isDown(guest) ? ZERO_RATES : NO_RATES));
    }
    this.histories = histories;
    return rates;
  }

  /** The guest's history after this reading; undefined while it has none (stopped, or no counters). */
  private next(history: History | undefined, guest: GuestInfo, now: number): History | undefined {
    // Counters restart from 0 with the guest: the next run begins a fresh history.
    if (isDown(guest)) return undefined;
    const counters = guest.counters;
    if (counters === null) return history && { ...history, rates: NO_RATES };
    if (!history) return { counters, seenAt: now, rates: NO_RATES };
    if (sameReading(history.counters, counters)) {
      const idle = history.rates !== NO_RATES && history.rates !== ZERO_RATES && now - history.seenAt > this.idleAfterMs;
      return idle ? { ...history, rates: ZERO_RATES } : history;
    }
    const seconds = (now - history.seenAt) / 1000;
    // The guest restarted between two polls: no rate this cycle rather than a negative spike.
    if (wentDown(history.counters, counters) || seconds <= 0) return { counters, seenAt: now, rates: NO_RATES };
    const per = (later: number, earlier: number): number => Math.round((later - earlier) / seconds);
    const rates: GuestRates = Object.freeze({
      diskRead: per(counters.diskread, history.counters.diskread),
      diskWrite: per(counters.diskwrite, history.counters.diskwrite),
      netIn: per(counters.netin, history.counters.netin),
      netOut: per(counters.netout, history.counters.netout),
    });
    return { counters, seenAt: now, rates };
  }
}

function isDown(guest: GuestInfo): boolean {
  return guest.status === "stopped" || guest.status === "hibernated";
}

function sameReading(a: IoCounters, b: IoCounters): boolean {
  return a.netin === b.netin && a.netout === b.netout && a.diskread === b.diskread && a.diskwrite === b.diskwrite;
}

function wentDown(before: IoCounters, now: IoCounters): boolean {
  return now.netin < before.netin || now.netout < before.netout || now.diskread < before.diskread || now.diskwrite < before.diskwrite;
}
