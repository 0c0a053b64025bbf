import { describe, expect, it } from "vitest";
import { PveResponseError } from "../../src/pve/errors.js";
import { followTask, parseUpid } from "../../src/pve/tasks.js";
import { clientFor, requestsTo, startSim } from "./harness.js";

describe("typed endpoints against the simulator", () => {
  it("reads version, cluster status and resources (known types only)", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    expect((await client.version()).version).toMatch(/^\d+\.\d+/);
    const status = await client.clusterStatus();
    expect(status.skipped).toBe(0);
    expect(status.rows.filter((row) => row.type === "node").map((row) => row.name).sort()).toEqual(["pve1", "pve2", "pve3"]);
    const resources = await client.clusterResources();
    expect(resources.skipped).toBe(0);
    expect(new Set(resources.rows.map((row) => row.type))).toEqual(new Set(["node", "qemu", "lxc", "storage"]));
    expect(resources.rows.find((row) => row.type === "qemu" && row.vmid === 100)).toMatchObject({ type: "qemu", vmid: 100, node: "pve1", name: "homeassistant" });
  });

  it("reads node, guest and storage objects with path segments as given", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const node = await client.nodeStatus("pve1");
    expect(node.loadavg).toHaveLength(3);
    expect(typeof node.loadavg![0]).toBe("number");
    expect(await client.guestStatus("qemu", "pve2", 102)).toMatchObject({ status: "running", qmpstatus: "paused" });
    expect(await client.guestStatus("lxc", "pve1", 200)).toMatchObject({ status: "running" });
    expect((await client.guestConfig("qemu", "pve1", 100)).agent).toBeDefined();
    expect(await client.storageStatus("pve1", "local")).toMatchObject({ total: expect.any(Number), active: true });
    const content = await client.storageContent("pve1", "local", "backup", 100);
    expect(content.skipped).toBe(0);
    expect(requestsTo(sim, "/nodes/pve1/storage/local/content")[0]!.query).toEqual({ content: "backup", vmid: "100" });
  });

  it("reads guest IPs: the agent's `result` for qemu, the interface list for lxc", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const agent = await client.agentInterfaces("pve1", 100);
    const addresses = agent.rows.flatMap((row) => row["ip-addresses"] ?? []).map((address) => address["ip-address"]);
    expect(addresses).toContain("192.168.1.50");
    const lxc = await client.lxcInterfaces("pve1", 200);
    expect(lxc.rows.some((row) => row.inet?.startsWith("192.168.1.60"))).toBe(true);
  });

  it("a stopped CT's interfaces (data: null) are an empty list", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    expect(await client.lxcInterfaces("pve1", 203)).toEqual({ rows: [], skipped: 0 });
  });

  it("starts a guest, follows its task on the node named in the UPID, and sees the snapshot", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const upid = await client.guestPower("qemu", "pve3", 105, "start");
    expect(parseUpid(upid)).toMatchObject({ node: "pve3", type: "qmstart", id: "105" });
    expect(await followTask(client, upid)).toEqual({ ok: true, exitstatus: "OK" });
    expect(requestsTo(sim, `/nodes/pve3/tasks/${upid}/status`).length).toBeGreaterThan(0);
    expect((await client.guestStatus("qemu", "pve3", 105)).status).toBe("running");

    const snap = await client.snapshot("qemu", "pve3", 105, { snapname: "before_update", description: "from a test" });
    expect(await followTask(client, snap)).toMatchObject({ ok: true });
    const snapshots = await client.snapshots("qemu", "pve3", 105);
    expect(snapshots.rows.map((row) => row.name)).toEqual(["before_update"]);
    expect(requestsTo(sim, "/nodes/pve3/qemu/105/snapshot", "POST")[0]!.body).toEqual({ snapname: "before_update", description: "from a test" });
  });

  it("sends power params as form fields", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const upid = await client.guestPower("qemu", "pve1", 101, "shutdown", { forceStop: 1, timeout: 30, skipped: undefined });
    expect(upid).toMatch(/^UPID:pve1:/);
    expect(requestsTo(sim, "/nodes/pve1/qemu/101/status/shutdown", "POST")[0]!.body).toEqual({ forceStop: "1", timeout: "30" });
  });

  it("vzdump returns the UPID on the guest's node and the literal OK elsewhere", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    expect(await client.vzdump("pve2", { vmid: "100", storage: "local", mode: "snapshot" })).toBe("OK");
    const upid = await client.vzdump("pve1", { vmid: "100", storage: "local", mode: "snapshot", compress: "zstd" });
    expect(parseUpid(upid)).toMatchObject({ node: "pve1", type: "vzdump" });
  });

  it("node power posts the command and returns nothing; startall/stopall return a UPID", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const upid = await client.nodeBulk("pve2", "stopall");
    expect(parseUpid(upid)).toMatchObject({ node: "pve2", type: "stopall", id: "" });
    await expect(client.nodePower("pve3", "reboot")).resolves.toBeUndefined();
    expect(requestsTo(sim, "/nodes/pve3/status", "POST")[0]!.body).toEqual({ command: "reboot" });
  });

  it("reads the permissions map", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    const perms = await client.permissions();
    expect(Object.keys(perms["/"] ?? {})).toContain("Sys.Audit");
  });

  it("an action whose answer is not a UPID is a PveResponseError naming the path", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    sim.injectFault({ path: "/nodes/pve1/qemu/100/status/reboot", kind: "status", status: 200, reason: "OK" });
    const error = await client.guestPower("qemu", "pve1", 100, "reboot").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveResponseError);
    expect((error as Error).message).toMatch(/^response from \/nodes\/pve1\/qemu\/100\/status\/reboot is not a task id/);
  });
});
