import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { waitFor } from "../mqtt/helpers.js";
import { TestClient, type Session } from "./client.js";

describe("simulator: /cluster/tasks and task logs as PVE answers them", () => {
  let sim: PveSimulator;
  let client: TestClient;
  let session: Session;

  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 120 });
    client = new TestClient(sim);
    session = await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  const clusterTasks = async (): Promise<Record<string, unknown>[]> => (await session.get("/cluster/tasks")).json.data;
  const log = async (upid: string, query: Record<string, string> = {}, node = upid.split(":")[1]!) =>
    (await session.get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`, query)).json;

  it("lists a running task with pid and no endtime/status, then ended with endtime and status", async () => {
    const upid = (await session.post("/nodes/pve1/qemu/101/status/reboot")).json.data as string;
    const running = (await clusterTasks()).find((row) => row.upid === upid)!;
    expect(running).toMatchObject({ node: "pve1", type: "qmreboot", id: "101", user: "root@pam", saved: "0", pid: expect.any(Number), starttime: expect.any(Number) });
    expect("endtime" in running || "status" in running).toBe(false);
    await session.waitTask(upid);
    const ended = (await clusterTasks()).find((row) => row.upid === upid)!;
    expect(ended).toMatchObject({ saved: "1", status: "OK", endtime: expect.any(Number) });
    expect("pid" in ended).toBe(false);
  });

  it("keeps every running task and the newest ended ones, 25 a node in all", async () => {
    for (let i = 0; i < 30; i++) sim.startScheduledBackup({ node: "pve3", vmids: [202], storage: "local" });
    await waitFor(async () => (await clusterTasks()).filter((row) => row.node === "pve3" && row.status === undefined).length === 0, "pve3's tasks ended", 20_000);
    const pve3 = (await clusterTasks()).filter((row) => row.node === "pve3");
    expect(pve3).toHaveLength(25);
  });

  it("numbers log lines from 1, skips `start` lines, reads 50 by default and all with limit 0, and puts total beside data", async () => {
    const upid = sim.startScheduledBackup({ node: "pve1", vmids: [100, 101, 200], storage: "nas" });
    await waitFor(async () => (await session.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).json.data.status === "stopped", "the task stopped");
    const all = await log(upid, { limit: "0" });
    expect(all.total).toBe(all.data.length);
    expect(all.data[0]).toEqual({ n: 1, t: "INFO: starting new backup job: vzdump 100 101 200 --mode snapshot --storage nas --quiet 1" });
    expect(all.data.at(-1).t).toBe("TASK OK");
    const tail = await log(upid, { start: "5", limit: "3" });
    expect(tail.data.map((line: { n: number }) => line.n)).toEqual([6, 7, 8]);
    expect(tail.total).toBe(all.total);
    expect((await log(upid)).data).toHaveLength(Math.min(50, all.total));
    expect((await log(upid, { start: String(all.total) })).data).toEqual([]);
  });

  it("answers an empty log as the line `no content`, another node's task as `unable to open file`", async () => {
    const upid = (await session.post("/nodes/pve2/lxc/201/status/reboot")).json.data as string;
    expect((await log(upid)).data).toEqual([{ n: 1, t: "no content" }]);
    expect((await log(upid, {}, "pve1")).data).toEqual([{ n: 1, t: "unable to open file - No such file or directory" }]);
    await session.waitTask(upid);
    expect((await log(upid)).data).toEqual([{ n: 1, t: "TASK OK" }]);
    const bad = await session.get("/nodes/pve1/tasks/nonsense/log");
    expect([bad.status, bad.json.errors]).toEqual([400, { upid: "unable to parse worker upid" }]);
  });

  it("writes a backup job's log while it runs: progress for qemu, Finished or ERROR per guest, job errors at the end", async () => {
    sim.updateGuest(200, { backupError: "storage 'nas' is not online" });
    const backupsOf200 = sim.guest(200)!.backups;
    try {
      const upid = sim.startScheduledBackup({ node: "pve1", vmids: [100, 200, 101], storage: "nas", compress: "zstd" });
      expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzdump::root@pam:$/);
      const first = await log(upid, { limit: "0" });
      expect(first.data.map((line: { t: string }) => line.t)).toContain("INFO: Starting Backup of VM 100 (qemu)");
      expect(first.data.some((line: { t: string }) => line.t.includes("Finished Backup"))).toBe(false);
      await waitFor(async () => (await log(upid, { limit: "0" })).data.some((line: { t: string }) => /^INFO:\s+\d+% \(/.test(line.t) && !line.t.includes(" 0%")), "a progress line past 0 %");
      await waitFor(async () => (await session.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).json.data.status === "stopped", "the task stopped");
      const lines = (await log(upid, { limit: "0" })).data.map((line: { t: string }) => line.t) as string[];
      expect(lines).toContain("ERROR: Backup of VM 200 failed - storage 'nas' is not online");
      expect(lines.filter((line) => /^INFO: Finished Backup of VM (100|101) \(\d\d:\d\d:\d\d\)$/.test(line))).toHaveLength(2);
      expect(lines.slice(-2)).toEqual(["INFO: Backup job finished with errors", "TASK ERROR: job errors"]);
      const row = (await clusterTasks()).find((task) => task.upid === upid)!;
      expect(row).toMatchObject({ status: "job errors", id: "", user: "root@pam" });
      const content = (await session.get("/nodes/pve1/storage/nas/content", { content: "backup" })).json.data as { vmid: number; ctime: number }[];
      expect(content.filter((entry) => entry.vmid === 200)).toHaveLength(backupsOf200);
      expect(content.some((entry) => entry.vmid === 101)).toBe(true);
    } finally {
      sim.updateGuest(200, { backupError: undefined });
    }
  });

  it("a backup started through the API shows up in /cluster/tasks with the vmid as id, and WARNINGS for a guest with warnings", async () => {
    sim.updateGuest(202, { warnings: true });
    const upid = (await session.post("/nodes/pve3/vzdump", { vmid: "202", storage: "local" })).json.data as string;
    expect((await clusterTasks()).find((row) => row.upid === upid)).toMatchObject({ type: "vzdump", id: "202" });
    await session.waitTask(upid);
    expect((await clusterTasks()).find((row) => row.upid === upid)).toMatchObject({ status: "WARNINGS: 1" });
    expect((await log(upid, { limit: "0" })).data.at(-1).t).toBe("TASK WARNINGS: 1");
    sim.updateGuest(202, { warnings: false });
  });
});
