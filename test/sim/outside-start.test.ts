import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient, type Session } from "./client.js";

/** A guest started on the node itself (`qm start`, start-on-boot): no API call, a task PVE lists like any other. */
describe("simulator: a guest started outside the API", () => {
  let sim: PveSimulator;
  let client: TestClient;
  let session: Session;

  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 80 });
    client = new TestClient(sim);
    session = await client.login();
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it("runs a qmstart task as root@pam, listed in /cluster/tasks, that leaves the VM running with its uptime from the start", async () => {
    expect(sim.guest(105)?.status).toBe("stopped");
    const before = sim.requests.length;
    const upid = sim.startGuest(105);
    expect(sim.requests.length).toBe(before);
    expect(sim.taskProgress(upid)).toEqual({ lines: 0, ended: false });
    const running = ((await session.get("/cluster/tasks")).json.data as Array<Record<string, unknown>>).find((row) => row.upid === upid);
    expect(running).toMatchObject({ node: "pve3", type: "qmstart", id: "105", user: "root@pam" });
    expect(running).not.toHaveProperty("status");
    expect(await session.waitTask(upid)).toMatchObject({ exitstatus: "OK" });
    expect(sim.guest(105)?.status).toBe("running");
    const row = ((await session.get("/cluster/resources", { type: "vm" })).json.data as Array<Record<string, unknown>>).find((guest) => guest.vmid === 105)!;
    expect(row.status).toBe("running");
    expect(row.uptime as number).toBeLessThan(60);
  });

  it("runs a vzstart task for a container, and refuses a running guest, a template and an unknown vmid", async () => {
    const upid = sim.startGuest(203);
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzstart:203:root@pam:$/);
    await session.waitTask(upid);
    expect(sim.guest(203)?.status).toBe("running");
    expect(() => sim.startGuest(203)).toThrow("Guest 203 already runs.");
    expect(() => sim.startGuest(9000)).toThrow("Guest 9000 is a template: it cannot start.");
    expect(() => sim.startGuest(4242)).toThrow("Guest 4242 does not exist in the simulator.");
  });

  it("lists every guest in brief, in vmid order", () => {
    const guests = sim.guestSummaries();
    expect(guests.map((guest) => guest.vmid)).toEqual([...guests.map((guest) => guest.vmid)].sort((a, b) => a - b));
    expect(guests.find((guest) => guest.vmid === 101)).toEqual({ vmid: 101, kind: "qemu", node: "pve1", status: "running", template: false, agent: true });
    expect(guests.find((guest) => guest.vmid === 9000)).toMatchObject({ kind: "qemu", status: "stopped", template: true, agent: false });
    expect(guests.find((guest) => guest.vmid === 103)).toMatchObject({ status: "hibernated" });
  });
});
