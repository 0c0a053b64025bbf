import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UPID_PATTERN } from "../../src/pve/schemas.js";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient } from "./client.js";

describe("simulator core", () => {
  let sim: PveSimulator;
  let client: TestClient;
  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 50 });
    client = new TestClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it("logs in, lists resources and runs an action task to its end", async () => {
    const session = await client.login();
    const resources = await session.get("/cluster/resources");
    expect(resources.status).toBe(200);
    expect(resources.json.data.filter((r: any) => r.type === "node")).toHaveLength(3);
    const reply = await session.post("/nodes/pve1/qemu/100/status/stop");
    expect(reply.json.data).toMatch(UPID_PATTERN);
    expect(sim.guest(100)?.status).toBe("running");
    const task = await session.waitTask(reply.json.data);
    expect(task).toMatchObject({ status: "stopped", exitstatus: "OK", type: "qmstop", id: "100", user: "root@pam" });
    expect(task.endtime).toBeUndefined();
    expect(sim.guest(100)?.status).toBe("stopped");
    expect(sim.loginCount).toBe(1);
  });
});
