import { describe, expect, it } from "vitest";
import type { ClusterTaskRow } from "../../src/pve/health-schemas.js";
import {
  guestsStartedSince,
  snapshotTasksEnded,
  summarizeTasks,
  tasksEndedSince,
  toClusterTasks,
  vzdumpTasksEnded,
} from "../../src/inventory/tasks.js";

const NOW = Date.UTC(2024, 6, 30, 12, 0, 0);
const sec = (ms: number): number => Math.floor(ms / 1000);
const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

/** A pid unique to what a test row describes, so each row has its own UPID. */
const pidOf = (text: string): number => [...text].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7) & 0x7fffffff;

/** A row as /cluster/tasks sends it: running with pid, ended with endtime and status. */
function row(node: string, type: string, id: string, startedAgoS: number, end?: { agoS: number; status: string }): ClusterTaskRow {
  const starttime = sec(NOW) - startedAgoS;
  const upid = `UPID:${node}:${hex(pidOf(`${node}${type}${id}${startedAgoS}${end?.status ?? ""}`))}:${hex(0x2000000)}:${hex(starttime)}:${type}:${id}:root@pam:`;
  return end ? { upid, node, type, id, user: "root@pam", starttime, endtime: sec(NOW) - end.agoS, status: end.status } : { upid, node, type, id, user: "root@pam", starttime, pid: 1234 };
}

describe("tasks from /cluster/tasks", () => {
  const rows: ClusterTaskRow[] = [
    row("pve1", "vzdump", "101", 100),
    row("pve1", "vzdump", "", 50),
    row("pve1", "qmstart", "100", 30_000, { agoS: 29_000, status: "OK" }),
    row("pve1", "qmshutdown", "100", 3_000, { agoS: 2_900, status: "VM quit/powerdown failed - got timeout" }),
    row("pve2", "vzdump", "", 90_000, { agoS: 89_000, status: "job errors" }),
    row("pve2", "qmsnapshot", "102", 600, { agoS: 590, status: "WARNINGS: 1" }),
    row("pve2", "aptupdate", "", 400, { agoS: 300, status: "unexpected status" }),
    row("pve3", "vzstart", "202", 20),
  ];
  const tasks = toClusterTasks(rows);

  it("counts running tasks and tasks that ended in error within 24 h, per node and in all", () => {
    const summary = summarizeTasks(tasks, NOW);
    expect(summary.nodes.get("pve1")).toEqual({ tasksRunning: 2, tasksFailed: 1 });
    // job errors 89,000 s ago is older than 24 h; WARNINGS is a success; "unexpected status" is a failure.
    expect(summary.nodes.get("pve2")).toEqual({ tasksRunning: 0, tasksFailed: 1 });
    expect(summary.nodes.get("pve3")).toEqual({ tasksRunning: 1, tasksFailed: 0 });
    expect(summary).toMatchObject({ tasksRunning: 3, tasksFailed: 2, backupsRunning: 2 });
    expect([...summary.guestsBackingUp]).toEqual([101]);
  });

  it("reads times as epoch ms and an id-less task as no guest", () => {
    expect(tasks[0]).toMatchObject({ startedAt: NOW - 100_000, endedAt: null, status: null, id: "101" });
    expect(tasks[2]).toMatchObject({ endedAt: NOW - 29_000_000, status: "OK" });
  });

  it("an ended row without status counts as ended with 'unexpected status'; a task listed twice counts once, ended", () => {
    const [running, half] = [row("pve1", "qmstop", "105", 10), row("pve1", "qmstop", "106", 10)];
    const listedTwice = { ...running, endtime: sec(NOW) - 5, status: "OK" };
    const merged = toClusterTasks([running, listedTwice, { ...half, endtime: sec(NOW) - 1 }]);
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ status: "OK" });
    expect(merged[1]).toMatchObject({ status: "unexpected status" });
    expect(summarizeTasks(merged, NOW).tasksFailed).toBe(1);
  });

  it("finds what ended since the previous reading: nothing on the first reading, then new ends only", () => {
    const before = toClusterTasks([rows[0]!, rows[5]!]);
    const backupEnded = { ...rows[0]!, endtime: sec(NOW), status: "OK" };
    const snapshot = row("pve3", "vzrollback", "202", 5, { agoS: 1, status: "OK" });
    const started = row("pve1", "qmstart", "103", 8, { agoS: 2, status: "OK" });
    const failedStart = row("pve1", "qmstart", "105", 8, { agoS: 2, status: "start failed: QEMU exited with code 1" });
    const after = toClusterTasks([backupEnded, rows[5]!, snapshot, started, failedStart]);

    expect(tasksEndedSince(null, after)).toEqual([]);
    expect(tasksEndedSince(before, after).map((task) => task.upid)).toEqual([backupEnded.upid, snapshot.upid, started.upid, failedStart.upid]);
    expect(vzdumpTasksEnded(before, after).map((task) => task.id)).toEqual(["101"]);
    expect(snapshotTasksEnded(before, after)).toEqual([expect.objectContaining({ vmid: 202, node: "pve3", type: "vzrollback", ok: true })]);
    expect(guestsStartedSince(before, after).map((end) => end.vmid)).toEqual([103]);
    // The same reading again: nothing new.
    expect(tasksEndedSince(after, after)).toEqual([]);
  });

  it("every snapshot task kind of both guest types is a change of the snapshot list", () => {
    const kinds = ["qmsnapshot", "qmdelsnapshot", "qmrollback", "vzsnapshot", "vzdelsnapshot", "vzrollback", "qmclone"];
    const ended = toClusterTasks(kinds.map((type, index) => row("pve1", type, String(300 + index), 9, { agoS: 1, status: "OK" })));
    expect(snapshotTasksEnded([], ended).map((end) => end.type)).toEqual(kinds.slice(0, 6));
  });
});
