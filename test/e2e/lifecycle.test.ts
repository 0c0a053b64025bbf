import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Bridge } from "../../src/bridge.js";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator } from "../../src/sim/index.js";
import { capturingLogger, waitFor } from "../mqtt/helpers.js";
import { Observer, testConfig } from "./harness.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const tuning = { birthDelayMs: 50, mqttReconnectMs: 200, pve: { hostRetryBaseMs: 200, retryBaseMs: 20 } };

describe("bridge start-up", () => {
  it("waits for a broker that is not there yet, then publishes everything", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    const port = await freePort();
    const { log, lines } = capturingLogger();
    const bridge = new Bridge({ config: testConfig(sim, `mqtt://127.0.0.1:${port}`), log, tuning });
    cleanups.push(() => bridge.stop());
    let started = false;
    const starting = bridge.start().then(() => (started = true));
    await waitFor(() => lines.some((l) => l.msg === "MQTT broker not reachable at start; retrying"), "the failed broker connection's log line");
    expect(started).toBe(false);
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port, log: silentLogger() });
    cleanups.push(() => broker.close());
    // The bridge stops before its broker closes: with the broker gone, stop() waits out its final "offline" publish.
    cleanups.push(() => bridge.stop());
    await starting;
    const observer = await Observer.connect(broker.url, ["pve2mqtt/#"]);
    cleanups.push(() => observer.close());
    expect(await observer.waitFor("pve2mqtt/bridge/state")).toBe("online");
    await observer.waitForJson("pve2mqtt/qemu/100", (s) => s.name === "homeassistant");
  });

  it("waits for PVE when no host answers at start, and stops promptly meanwhile", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    await sim.setHostDown(0, true);
    const bridge = new Bridge({ config: testConfig(sim, undefined), log: silentLogger(), tuning });
    const starting = bridge.start();
    await waitFor(() => bridge.info.last_poll_result === "error", "the first failed poll");
    expect(bridge.info.last_poll_result).toBe("error");
    const stopAt = Date.now();
    await bridge.stop();
    await starting;
    expect(Date.now() - stopAt).toBeLessThan(2000);
  });

  it("comes up once PVE answers", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    await sim.setHostDown(0, true);
    const bridge = new Bridge({ config: testConfig(sim, undefined), log: silentLogger(), tuning });
    cleanups.push(() => bridge.stop());
    const starting = bridge.start();
    await waitFor(() => bridge.info.last_poll_result === "error", "the first failed poll");
    await sim.setHostDown(0, false);
    await starting;
    expect(bridge.info).toMatchObject({ cluster: "homelab", last_poll_result: "ok" });
  });

  it("refuses to start with wrong credentials, saying so", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    const bridge = new Bridge({ config: testConfig(sim, undefined, { proxmox: { password: "not-the-password" } }), log: silentLogger(), tuning });
    cleanups.push(() => bridge.stop());
    await expect(bridge.start()).rejects.toThrow(/authentication failure/);
  });

  it("refuses to start when the cluster name cannot be read and none is configured", async () => {
    const token = "pve2mqtt@pve!ro";
    const secret = "5f0e0c55-0000-4000-8000-000000000001";
    const sim = await PveSimulator.start({ authFailureDelayMs: 20, tokens: { [token]: { secret, emptyAcl: true } } });
    cleanups.push(() => sim.stop());
    const config = testConfig(sim, undefined, { proxmox: { user: null, password: null, token_id: token, token_secret: secret } });
    const bridge = new Bridge({ config, log: silentLogger(), tuning });
    cleanups.push(() => bridge.stop());
    await expect(bridge.start()).rejects.toThrow(/cluster_name/);
  });
});
