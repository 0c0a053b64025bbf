import { describe, expect, it } from "vitest";
import { PveForbiddenError, PveHttpError } from "../../src/pve/errors.js";
import { isPlaceholderLine } from "../../src/pve/health-reads.js";
import { followTask } from "../../src/pve/tasks.js";
import { toDiskInfos } from "../../src/inventory/disks.js";
import { clientFor, requestsTo, startSim } from "./harness.js";
import { captureLog } from "./log-capture.js";

describe("health reads against the simulator", () => {
  it("clusterTasks: a running backup, then its end with status; taskLog reads only new lines", async () => {
    const sim = await startSim({ hosts: 1, taskDurationMs: 150 });
    const client = clientFor(sim);
    const upid = sim.startScheduledBackup({ node: "pve1", vmids: [100, 101], storage: "nas" });
    const running = (await client.clusterTasks()).rows.find((row) => row.upid === upid);
    expect(running).toMatchObject({ node: "pve1", type: "vzdump", id: "", user: "root@pam" });
    expect(running?.endtime).toBeUndefined();

    const first = await client.taskLog("pve1", upid);
    expect(first.lines[0]).toEqual({ n: 1, t: "INFO: starting new backup job: vzdump 100 101 --mode snapshot --storage nas --quiet 1" });
    expect(first.total).toBe(first.lines.length);
    expect(requestsTo(sim, `/nodes/pve1/tasks/${upid}/log`)[0]!.query).toEqual({ start: "0", limit: "0" });

    await followTask(client, upid);
    const rest = await client.taskLog("pve1", upid, first.lines.length);
    expect(rest.lines[0]!.n).toBe(first.lines.length + 1);
    expect(rest.lines.at(-1)!.t).toBe("TASK OK");
    const ended = (await client.clusterTasks()).rows.find((row) => row.upid === upid);
    expect(ended).toMatchObject({ status: "OK", endtime: expect.any(Number) });
  });

  it("taskLog of a task with no lines yet is PVE's placeholder line", async () => {
    const sim = await startSim({ hosts: 1, taskDurationMs: 300 });
    const client = clientFor(sim);
    const upid = await client.guestPower("lxc", "pve2", 201, "reboot");
    const log = await client.taskLog("pve2", upid);
    expect(log.lines).toEqual([{ n: 1, t: "no content" }]);
    expect(isPlaceholderLine(log.lines[0]!)).toBe(true);
  });

  it("reads disks, SMART answers in both forms, and ZFS pools", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const list = await client.diskList("pve1");
    expect(list.skipped).toBe(0);
    expect(list.rows.map((row) => row.devpath)).toEqual(["/dev/nvme0n1", "/dev/sda", "/dev/sdb", "/dev/sdc"]);
    const ata = await client.diskSmart("pve1", "/dev/sda");
    expect(ata).toMatchObject({ health: "PASSED", type: "ata" });
    expect(ata.attributes.find((attribute) => attribute.name === "Temperature_Celsius")).toMatchObject({ id: "194", raw: "33 (Min/Max 18/52)" });
    const nvme = await client.diskSmart("pve1", "/dev/nvme0n1");
    expect(nvme.type).toBe("text");
    expect(nvme.text).toMatch(/^Temperature:\s+41 Celsius$/m);
    expect(requestsTo(sim, "/nodes/pve1/disks/smart").map((request) => request.query.disk)).toEqual(["/dev/sda", "/dev/nvme0n1"]);
    const smart = new Map([["/dev/sda", ata], ["/dev/nvme0n1", nvme]]);
    const disks = toDiskInfos("pve1", list.rows, smart);
    expect(disks.find((disk) => disk.device === "/dev/sda")).toMatchObject({ type: "ssd", health: "ok", wearout: 2, temperature: 33, used: "LVM", vendor: "ATA" });
    expect(disks.find((disk) => disk.device === "/dev/nvme0n1")).toMatchObject({ type: "nvme", wearout: 3, temperature: 41 });

    const failing = await client.diskList("pve2");
    expect(toDiskInfos("pve2", failing.rows).find((disk) => disk.device === "/dev/sdb")).toMatchObject({ health: "failing", smart: "FAILED!", wearout: null });
    expect((await client.zfsPools("pve2")).rows).toEqual([expect.objectContaining({ name: "tank", health: "DEGRADED", dedup: 1 })]);

    sim.health.setDisk("pve1", "/dev/sda", { health: "FAILED!" });
    sim.health.setPool("pve1", "rpool", { health: "DEGRADED" });
    expect((await client.diskList("pve1")).rows.find((row) => row.devpath === "/dev/sda")?.health).toBe("FAILED!");
    expect((await client.zfsPools("pve1")).rows[0]?.health).toBe("DEGRADED");
  });

  it("a malformed disk row is skipped with one log line, the rest of the answer is used", async () => {
    const sim = await startSim({ hosts: 1 });
    const captured = captureLog("warn");
    const client = clientFor(sim, { log: captured.log });
    sim.injectFault({
      path: "/nodes/pve1/disks/list",
      kind: "rewrite",
      rewrite: (data) => (data as Record<string, unknown>[]).map((row, index) => (index === 1 ? { ...row, devpath: 42 } : row)),
    });
    const list = await client.diskList("pve1");
    expect(list.skipped).toBe(1);
    expect(list.rows).toHaveLength(3);
    await client.diskList("pve1");
    expect(captured.messages(40)).toEqual(["skipping a row of /nodes/{node}/disks/list: devpath: expected string, got number"]);
  });

  it("updates: a pending pve-manager, an up-to-date node, and a 403 that is a PveForbiddenError naming the privilege", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const pending = await client.aptUpdates("pve1");
    expect(pending.rows.find((row) => row.Package === "pve-manager")).toMatchObject({ Version: "8.2.5", OldVersion: "8.2.4", Origin: "Proxmox" });
    expect((await client.aptUpdates("pve2")).rows).toEqual([]);
    const error = await client.aptUpdates("pve3").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveForbiddenError);
    expect(error).toBeInstanceOf(PveHttpError);
    expect(error).toMatchObject({ status: 403, aclPath: "/nodes/pve3", privilege: "Sys.Modify" });

    sim.health.setAccess("pve2", { disks: false });
    await expect(client.diskList("pve2")).rejects.toBeInstanceOf(PveForbiddenError);
    await expect(client.diskList("pve1")).resolves.toBeDefined();

    // /access/permissions tells the same story, as a node ACL without the privilege.
    const perms = await client.permissions();
    expect(Object.keys(perms["/nodes/pve3"] ?? {})).toContain("Sys.Audit");
    expect(Object.keys(perms["/nodes/pve3"] ?? {})).not.toContain("Sys.Modify");
    expect(Object.keys(perms["/nodes/pve2"] ?? {})).not.toContain("Sys.Audit");
    expect(perms["/nodes/pve1"]).toBeUndefined();
  });

  it("HA status: the quorum entry, and PVE 9's fencing armed-state", async () => {
    const pve8 = await startSim({ hosts: 1 });
    const rows8 = (await clientFor(pve8).haStatus()).rows;
    expect(rows8[0]).toMatchObject({ id: "quorum", type: "quorum", status: "OK", quorate: 1 });
    expect(rows8.some((row) => row.type === "fencing")).toBe(false);
    expect(rows8.find((row) => row.type === "service")).toMatchObject({ sid: "vm:104", state: "started" });

    const pve9 = await startSim({ hosts: 1, version: "9.0.3" });
    const client9 = clientFor(pve9);
    expect((await client9.haStatus()).rows.find((row) => row.type === "fencing")).toMatchObject({ id: "fencing", "armed-state": "armed" });
    pve9.health.setHaDisarm("disarmed");
    expect((await client9.haStatus()).rows.find((row) => row.type === "fencing")?.["armed-state"]).toBe("disarmed");
  });

  it("Ceph: the health when an rbd storage exists, a 500 otherwise and for an external cluster", async () => {
    const plain = await startSim({ hosts: 1 });
    await expect(clientFor(plain).cephStatus()).rejects.toMatchObject({ status: 500, message: "binary not installed: /usr/bin/ceph-mon" });

    const ceph = await startSim({ hosts: 1, storages: [{ storage: "ceph-vm", type: "rbd", shared: true, content: ["images"], total: 1e12, used: 1e11 }] });
    const client = clientFor(ceph);
    expect((await client.cephStatus()).health.status).toBe("HEALTH_OK");
    ceph.health.setCeph({ health: "HEALTH_WARN" });
    expect((await client.cephStatus()).health.status).toBe("HEALTH_WARN");
    ceph.health.setCeph({ external: true });
    await expect(client.cephStatus()).rejects.toMatchObject({ status: 500 });
  });
});
