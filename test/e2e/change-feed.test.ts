import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../sim/client.js";
import { startHarness, type Harness } from "./harness.js";

/**
 * CONTRACT 4 (details read when they change): with the default `details.*` cadences (hours), a
 * snapshot or a start made outside the bridge — the PVE web UI, a script — shows through
 * `/cluster/tasks` within two polls.
 */
describe("details read when /cluster/tasks says they changed", () => {
  let h: Harness;
  let pve: TestClient;

  beforeAll(async () => {
    h = await startHarness();
    pve = new TestClient(h.sim);
  });
  afterAll(async () => {
    await pve?.agent.close();
    await h?.stop();
  });

  /** Resolves with the number of polls that ended (bridge/info) between `since` and now. */
  const pollsSince = (since: number): number => h.observer.messages.slice(since).filter((message) => message.topic === `${h.base}/bridge/info`).length;

  it("shows a snapshot taken from outside within two polls of its task's end", async () => {
    const topic = `${h.base}/qemu/101`;
    const before = await h.observer.waitForJson(topic, (state) => state.snapshots !== null);
    const session = await pve.login();
    const reply = await session.post("/nodes/pve1/qemu/101/snapshot", { snapname: "from_the_web_ui" });
    expect(reply.status).toBe(200);
    const upid = reply.json.data as string;
    await session.waitTask(upid);
    const since = h.observer.messages.length;
    const after = await h.observer.waitForJson(topic, (state) => state.last_snapshot === "from_the_web_ui", 10_000, since);
    expect(after.snapshots).toBe((before.snapshots as number) + 1);
    expect(pollsSince(since)).toBeLessThanOrEqual(2);
  });

  it("reads the IPs of a guest started from outside", async () => {
    const topic = `${h.base}/qemu/101`;
    const session = await pve.login();
    await session.waitTask((await session.post("/nodes/pve1/qemu/101/status/stop", {})).json.data as string);
    await h.observer.waitForJson(topic, (state) => state.status === "stopped" && (state.ipv4 as unknown[]).length === 0);
    await session.waitTask((await session.post("/nodes/pve1/qemu/101/status/start", {})).json.data as string);
    const since = h.observer.messages.length;
    const started = await h.observer.waitForJson(topic, (state) => state.status === "running" && state.ip !== null, 10_000, since);
    expect(started.ip).toBe("192.168.1.51");
    expect(pollsSince(since)).toBeLessThanOrEqual(2);
  });
});
