import { describe, expect, it } from "vitest";
import { backupOutcomes, liveBackups } from "../../src/inventory/backups.js";
import type { ClusterTask } from "../../src/inventory/tasks.js";
import { emptyVzdumpLog, readVzdumpLog } from "../../src/inventory/vzdump-log.js";

const task = (upid: string, id: string, ended = false): ClusterTask => ({
  upid, node: "pve1", type: "vzdump", id, user: "root@pam", startedAt: 0, endedAt: ended ? 1000 : null, status: ended ? "OK" : null,
});
const lines = (...texts: string[]) => texts.map((t, index) => ({ n: index + 1, t }));

describe("live backups and outcomes", () => {
  it("a single-guest vzdump runs for its vmid even before its log is read", () => {
    expect([...liveBackups([task("U1", "101")], new Map()).values()]).toEqual([{ vmid: 101, upid: "U1", progress: null }]);
  });

  it("a job of several guests: waiting guests run without progress, the current qemu one with it, finished ones not at all", () => {
    const log = readVzdumpLog(emptyVzdumpLog(), lines(
      "INFO: starting new backup job: vzdump 100 101 200 --storage nas",
      "INFO: Starting Backup of VM 100 (qemu)",
      "INFO: Finished Backup of VM 100 (00:00:10)",
      "INFO: Starting Backup of VM 101 (qemu)",
      "INFO:  60% (1.0 GiB of 2.0 GiB) in 3s, read: 1 GiB/s, write: 1 GiB/s",
    ));
    const live = liveBackups([task("U2", ""), task("U3", "105", true)], new Map([["U2", log]]));
    expect([...live.values()]).toEqual([{ vmid: 101, upid: "U2", progress: 60 }, { vmid: 200, upid: "U2", progress: null }]);
    expect(backupOutcomes(log)).toEqual([{ vmid: 100, status: "ok", error: null }]);
  });
});
