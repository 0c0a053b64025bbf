import { describe, expect, it } from "vitest";
import { emptyVzdumpLog, guestsNotFinished, readVzdumpLog } from "../../src/inventory/vzdump-log.js";

/** A real PVE 8 log of a scheduled job of three guests, the second of which fails. */
const LOG = [
  "INFO: starting new backup job: vzdump 101 102 200 --mailnotification failure --quiet 1 --mode snapshot --storage nas --compress zstd --notes-template '{{guestname}}'",
  "INFO: Starting Backup of VM 101 (qemu)",
  "INFO: Backup started at 2024-07-30 02:30:01",
  "INFO: status = running",
  "INFO: VM Name: docker-host",
  "INFO: include disk 'scsi0' 'local-lvm:vm-101-disk-0' 64G",
  "INFO: backup mode: snapshot",
  "INFO: creating vzdump archive '/mnt/pve/nas/dump/vzdump-qemu-101-2024_07_30-02_30_01.vma.zst'",
  "INFO: started backup task 'a1b2c3d4-5e6f-7a8b-9c0d-e1f2a3b4c5d6'",
  "INFO:   0% (0.0 B of 64.0 GiB) in 0s, read: 0 B/s, write: 0 B/s",
  "INFO:  45% (28.8 GiB of 64.0 GiB) in 27s, read: 1.1 GiB/s, write: 97.2 MiB/s",
  "INFO: 100% (64.0 GiB of 64.0 GiB) in 1m 2s, read: 1.0 GiB/s, write: 101.3 MiB/s",
  "INFO: backup is sparse: 40.12 GiB (62%) total zero data",
  "INFO: transferred 64.00 GiB in 62 seconds (1.0 GiB/s)",
  "INFO: archive file size: 10.53GB",
  "INFO: Finished Backup of VM 101 (00:01:02)",
  "INFO: Backup finished at 2024-07-30 02:31:03",
  "INFO: Starting Backup of VM 102 (qemu)",
  "INFO: Backup started at 2024-07-30 02:31:03",
  "ERROR: Backup of VM 102 failed - storage 'nas' is not online",
  "INFO: Failed at 2024-07-30 02:31:04",
  "INFO: Starting Backup of VM 200 (lxc)",
  "INFO: Backup started at 2024-07-30 02:31:04",
  "INFO: CT Name: pihole",
  "INFO: Total bytes written: 1234567890 (1.2GiB, 120MiB/s)",
  "INFO: Finished Backup of VM 200 (00:00:12)",
  "INFO: Backup job finished with errors",
  "INFO: notified via target `mail-to-root`",
  "TASK ERROR: job errors",
].map((t, index) => ({ n: index + 1, t }));

const upTo = (n: number) => LOG.slice(0, n);

describe("the vzdump log reader", () => {
  it("learns the planned guests from the first line and marks them pending", () => {
    const state = readVzdumpLog(emptyVzdumpLog(), upTo(1));
    expect(state.planned).toEqual([101, 102, 200]);
    expect(state.storage).toBe("nas");
    expect(guestsNotFinished(state)).toEqual([101, 102, 200]);
    expect(state).toMatchObject({ linesRead: 1, current: null, exitstatus: null });
  });

  it("follows the qemu guest's progress and which guest the job is on", () => {
    const at45 = readVzdumpLog(emptyVzdumpLog(), upTo(11));
    expect(at45.current).toBe(101);
    expect(at45.guests.get(101)).toEqual({ vmid: 101, kind: "qemu", state: "running", progress: 45, error: null });
    expect(at45.guests.get(102)?.state).toBe("pending");
  });

  it("reads incrementally: the same result as in one go, lines already read are skipped", () => {
    let state = emptyVzdumpLog();
    for (let i = 0; i < LOG.length; i += 4) state = readVzdumpLog(state, LOG.slice(Math.max(0, i - 2), i + 4));
    expect(state).toEqual(readVzdumpLog(emptyVzdumpLog(), LOG));
  });

  it("ends with each guest's outcome, the reason of a failure, the last ERROR line and the exit status", () => {
    const state = readVzdumpLog(emptyVzdumpLog(), LOG);
    expect([...state.guests.values()]).toEqual([
      { vmid: 101, kind: "qemu", state: "ok", progress: null, error: null },
      { vmid: 102, kind: "qemu", state: "error", progress: null, error: "storage 'nas' is not online" },
      { vmid: 200, kind: "lxc", state: "ok", progress: null, error: null },
    ]);
    expect(state).toMatchObject({ current: null, lastError: "Backup of VM 102 failed - storage 'nas' is not online", exitstatus: "job errors", linesRead: LOG.length });
    expect(guestsNotFinished(state)).toEqual([]);
  });

  it("never changes the state it is given", () => {
    const before = readVzdumpLog(emptyVzdumpLog(), upTo(10));
    const snapshot = structuredClone({ ...before, guests: [...before.guests] });
    readVzdumpLog(before, LOG);
    expect({ ...before, guests: [...before.guests] }).toEqual(snapshot);
  });

  it("skips PVE's placeholder lines without counting them, and lines it does not know", () => {
    const empty = readVzdumpLog(emptyVzdumpLog(), [{ n: 1, t: "no content" }]);
    expect(empty.linesRead).toBe(0);
    const unreadable = readVzdumpLog(empty, [{ n: 1, t: "unable to open file - No such file or directory" }]);
    expect(unreadable.linesRead).toBe(0);
    const odd = readVzdumpLog(unreadable, [{ n: 1, t: "INFO: something PVE 10 writes" }, { n: 2, t: "garbage ☃" }, { n: 3, t: "INFO: Starting Backup of VM 9999 (qemu)" }]);
    expect(odd).toMatchObject({ linesRead: 3, current: 9999, planned: null });
  });

  it("takes the last ERROR line of a job-level failure, and OK / WARNINGS exits", () => {
    const failed = readVzdumpLog(emptyVzdumpLog(), [
      { n: 1, t: "INFO: starting new backup job: vzdump --all 1 --storage nas" },
      { n: 2, t: "ERROR: could not activate storage 'nas': storage 'nas' is not online" },
      { n: 3, t: "TASK ERROR: could not activate storage 'nas': storage 'nas' is not online" },
    ]);
    expect(failed).toMatchObject({ planned: null, lastError: "could not activate storage 'nas': storage 'nas' is not online", exitstatus: "could not activate storage 'nas': storage 'nas' is not online" });
    expect(readVzdumpLog(emptyVzdumpLog(), [{ n: 1, t: "TASK WARNINGS: 2" }]).exitstatus).toBe("WARNINGS: 2");
    expect(readVzdumpLog(emptyVzdumpLog(), [{ n: 1, t: "TASK OK" }]).exitstatus).toBe("OK");
  });

  it("reads PVE 6's 'status: 12%' progress and the --vmid form of the command line", () => {
    const state = readVzdumpLog(emptyVzdumpLog(), [
      { n: 1, t: "INFO: starting new backup job: vzdump --vmid 105,106 --mode stop" },
      { n: 2, t: "INFO: Starting Backup of VM 105 (qemu)" },
      { n: 3, t: "INFO: status: 12% (1.9 GiB of 16.0 GiB), sparse 0% (0.0 B), duration 10, read/write 199/190 MB/s" },
    ]);
    expect(state.planned).toEqual([105, 106]);
    // no --storage: the node's default storage, not known from the log
    expect(state.storage).toBeNull();
    expect(state.guests.get(105)?.progress).toBe(12);
  });
});
