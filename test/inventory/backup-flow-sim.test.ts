import { describe, expect, it } from "vitest";
import { backupOutcomes, liveBackups, type LiveBackup } from "../../src/inventory/backups.js";
import { summarizeTasks, toClusterTasks, vzdumpTasksEnded, type ClusterTask } from "../../src/inventory/tasks.js";
import { emptyVzdumpLog, readVzdumpLog, type VzdumpLogState } from "../../src/inventory/vzdump-log.js";
import { Poller } from "../../src/inventory/poller.js";
import { silentLogger } from "../../src/log.js";
import { waitFor } from "../mqtt/helpers.js";
import { clientFor, requestsTo, startSim } from "../pve/harness.js";

describe("a backup job started by PVE's scheduler, seen from /cluster/tasks and its log alone", () => {
  it("shows the running guests and rising qemu progress, then ok / error per guest with PVE's reason", async () => {
    const sim = await startSim({ hosts: 1, taskDurationMs: 400 });
    const client = clientFor(sim);
    sim.updateGuest(200, { backupError: "storage 'nas' is not online" });
    const upid = sim.startScheduledBackup({ node: "pve1", vmids: [100, 101, 200], storage: "nas" });
    /** Until the job has written a line past `read` or ended (a condition, checked on the simulator's side). */
    const movedOn = (read: number, endSeen: boolean): Promise<void> =>
      waitFor(() => {
        const progress = sim.taskProgress(upid)!;
        return progress.lines > read || (progress.ended && !endSeen);
      }, "the backup job to move on");

    let previous: ClusterTask[] | null = null;
    let log: VzdumpLogState = emptyVzdumpLog();
    const seen: ReadonlyMap<number, LiveBackup>[] = [];
    let outcomes: ReturnType<typeof backupOutcomes> = [];
    // A "poll" each time the job has moved on: /cluster/tasks, then the new log lines of a running
    // vzdump, or the rest of one that ended.
    for (let polls = 0; polls < 200 && outcomes.length === 0; polls++) {
      const tasks = toClusterTasks((await client.clusterTasks()).rows);
      const task = tasks.find((candidate) => candidate.upid === upid)!;
      const ended = vzdumpTasksEnded(previous, tasks).some((candidate) => candidate.upid === upid);
      if (task.endedAt === null || ended) log = readVzdumpLog(log, (await client.taskLog("pve1", upid, log.linesRead)).lines);
      if (task.endedAt === null) {
        seen.push(liveBackups(tasks, new Map([[upid, log]])));
        expect(summarizeTasks(tasks, Date.now()).backupsRunning).toBe(1);
      }
      if (ended) outcomes = backupOutcomes(log);
      previous = tasks;
      if (!ended) await movedOn(log.linesRead, task.endedAt !== null);
    }

    expect(seen[0]?.size).toBe(3);
    const progress100 = seen.map((live) => live.get(100)?.progress).filter((value) => typeof value === "number");
    expect(new Set(progress100).size).toBeGreaterThan(1);
    expect(progress100).toEqual([...progress100].sort((a, b) => a! - b!));
    expect(seen.at(-1)?.has(100)).toBe(false);
    expect(outcomes).toEqual([
      { vmid: 100, status: "ok", error: null },
      { vmid: 101, status: "ok", error: null },
      { vmid: 200, status: "error", error: "storage 'nas' is not online" },
    ]);
    expect(log.lastError).toBe("Backup of VM 200 failed - storage 'nas' is not online");

    // The log is not read again once the end was read.
    const reads = requestsTo(sim, `/nodes/pve1/tasks/${upid}/log`).length;
    const tasks = toClusterTasks((await client.clusterTasks()).rows);
    expect(vzdumpTasksEnded(previous, tasks)).toEqual([]);
    expect(requestsTo(sim, `/nodes/pve1/tasks/${upid}/log`)).toHaveLength(reads);
  });
});

describe("the backup listings read after a job", () => {
  it("lists again only the storage the job wrote to (its --storage), not every backup storage of the node", async () => {
    const sim = await startSim({ hosts: 1, taskDurationMs: 200 });
    const poller = new Poller(clientFor(sim), { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger() });
    await poller.poll();
    await poller.poll();
    const listings = (storage: string) => requestsTo(sim, `/nodes/pve1/storage/${storage}/content`).length;
    const before = { nas: listings("nas"), local: listings("local") };
    expect(before.local).toBeGreaterThan(0);
    const upid = sim.startScheduledBackup({ node: "pve1", vmids: [100], storage: "nas" });
    for (let polls = 0; polls < 100 && poller.current?.tasks.outcomes.get(100) === undefined; polls++) {
      const lines = sim.taskProgress(upid)!.lines;
      await poller.poll();
      // the next poll once the job has moved on (a condition on the simulator's side)
      await waitFor(() => sim.taskProgress(upid)!.lines > lines || sim.taskProgress(upid)!.ended, "the backup job to move on");
    }
    expect(poller.current?.tasks.outcomes.get(100)?.status).toBe("ok");
    expect(listings("nas")).toBeGreaterThan(before.nas);
    expect(listings("local")).toBe(before.local);
    expect(poller.current?.details.get("qemu/100")?.lastBackup).toBeGreaterThan(Date.now() - 60_000);
  });
});
