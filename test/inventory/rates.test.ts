import { describe, expect, it } from "vitest";
import { RateTracker } from "../../src/inventory/rates.js";
import type { GuestInfo, Inventory, IoCounters } from "../../src/inventory/types.js";

function guest(vmid: number, counters: IoCounters | null, status: GuestInfo["status"] = "running"): GuestInfo {
  return {
    kind: "qemu", vmid, name: `g${vmid}`, node: "pve1", status, cpu: 0.1, cpus: 1, memUsed: 1, memTotal: 2,
    diskUsed: null, diskTotal: 10, counters, uptime: 100, haState: null, lock: null, tags: [],
  };
}
function inventory(takenAt: number, guests: GuestInfo[]): Inventory {
  return { takenAt, cluster: { name: "c", quorate: true, pveVersion: null }, nodes: [], guests, storages: [] };
}
const io = (netin: number, netout: number, diskread: number, diskwrite: number): IoCounters => ({ netin, netout, diskread, diskwrite });

describe("RateTracker", () => {
  it("is null until two distinct readings exist, then bytes per second between them", () => {
    const tracker = new RateTracker();
    expect(tracker.update(inventory(0, [guest(100, io(0, 0, 0, 0))])).get("qemu/100")).toEqual({ diskRead: null, diskWrite: null, netIn: null, netOut: null });
    expect(tracker.update(inventory(10_000, [guest(100, io(10_000, 20_000, 5_000, 1_000))])).get("qemu/100")).toEqual({
      netIn: 1000, netOut: 2000, diskRead: 500, diskWrite: 100,
    });
  });

  it("keeps the previous rate on an identical reading, with time measured from when each reading was first seen", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(0, 0, 0, 0))]));
    tracker.update(inventory(10_000, [guest(100, io(10_000, 0, 0, 0))]));
    // polled every 5 s: PVE has not moved its counters yet
    expect(tracker.update(inventory(15_000, [guest(100, io(10_000, 0, 0, 0))])).get("qemu/100")!.netIn).toBe(1000);
    // the next distinct reading: 30 000 more bytes since the reading first seen at 10 s → 20 s later
    expect(tracker.update(inventory(30_000, [guest(100, io(40_000, 0, 0, 0))])).get("qemu/100")!.netIn).toBe(1500);
  });

  it("says 0 once a reading has stayed the same longer than PVE's refresh period", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(0, 0, 0, 0))]));
    tracker.update(inventory(30_000, [guest(100, io(30_000, 0, 0, 0))]));
    expect(tracker.update(inventory(60_000, [guest(100, io(30_000, 0, 0, 0))])).get("qemu/100")!.netIn).toBe(0);
  });

  it("gives null, never a negative spike, when a counter went down (reboot), then resumes", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(5_000_000, 5_000_000, 5_000_000, 5_000_000))]));
    tracker.update(inventory(10_000, [guest(100, io(6_000_000, 6_000_000, 6_000_000, 6_000_000))]));
    expect(tracker.update(inventory(20_000, [guest(100, io(100, 6_100_000, 6_100_000, 6_100_000))])).get("qemu/100")).toEqual({
      diskRead: null, diskWrite: null, netIn: null, netOut: null,
    });
    expect(tracker.update(inventory(30_000, [guest(100, io(10_100, 6_200_000, 6_200_000, 6_200_000))])).get("qemu/100")!.netIn).toBe(1000);
  });

  it("gives 0 for a stopped guest and starts afresh when it runs again", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(100, 100, 100, 100))]));
    tracker.update(inventory(10_000, [guest(100, io(200, 200, 200, 200))]));
    expect(tracker.update(inventory(20_000, [guest(100, io(0, 0, 0, 0), "stopped")])).get("qemu/100")).toEqual({ diskRead: 0, diskWrite: 0, netIn: 0, netOut: 0 });
    expect(tracker.update(inventory(30_000, [guest(100, io(50, 50, 50, 50))])).get("qemu/100")!.netIn).toBeNull();
  });

  it("gives null for a guest without counters (node down) and tracks guests independently", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(0, 0, 0, 0)), guest(101, io(0, 0, 0, 0))]));
    const rates = tracker.update(inventory(10_000, [guest(100, null, "unknown"), guest(101, io(10, 10, 10, 10))]));
    expect(rates.get("qemu/100")!.netIn).toBeNull();
    expect(rates.get("qemu/101")!.netIn).toBe(1);
  });

  it("forgets guests that vanished", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(0, 0, 0, 0))]));
    tracker.update(inventory(10_000, [guest(100, io(10_000, 0, 0, 0))]));
    expect(tracker.update(inventory(20_000, [])).size).toBe(0);
    // it comes back: a new history, no rate from the old reading
    expect(tracker.update(inventory(30_000, [guest(100, io(20_000, 0, 0, 0))])).get("qemu/100")!.netIn).toBeNull();
  });

  it("forgets a guest that vanished while another appeared (same count of guests)", () => {
    const tracker = new RateTracker();
    tracker.update(inventory(0, [guest(100, io(0, 0, 0, 0)), guest(101, io(0, 0, 0, 0))]));
    tracker.update(inventory(10_000, [guest(100, io(10_000, 0, 0, 0)), guest(101, io(10_000, 0, 0, 0))]));
    const swapped = tracker.update(inventory(20_000, [guest(100, io(20_000, 0, 0, 0)), guest(102, io(0, 0, 0, 0))]));
    expect([...swapped.keys()].sort()).toEqual(["qemu/100", "qemu/102"]);
    expect(swapped.get("qemu/100")!.netIn).toBe(1000);
    // 101 comes back with higher counters: a new history, not a rate from its old reading
    expect(tracker.update(inventory(30_000, [guest(100, io(30_000, 0, 0, 0)), guest(101, io(50_000, 0, 0, 0))])).get("qemu/101")!.netIn).toBeNull();
  });
});
