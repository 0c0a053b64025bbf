import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Bridge } from "../../src/bridge.js";
import { silentLogger } from "../../src/log.js";
import { PveSimulator } from "../../src/sim/index.js";
import { testConfig } from "../e2e/harness.js";
import { waitFor } from "../mqtt/helpers.js";
import { startRecordingBroker, type RecordingBroker } from "./follow-rig.js";
import { openWs, type WsClient } from "./helpers.js";

let sim: PveSimulator;
let broker: RecordingBroker;
let bridge: Bridge;
let client: WsClient | null = null;

beforeAll(async () => {
  sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 150 });
  broker = await startRecordingBroker();
  // polls only when the test asks (pollNow), so what reaches the panel is this test's doing
  const config = testConfig(sim, broker.url, { http: { port: 0, host: "127.0.0.1" }, poll: { interval: 3600 } });
  bridge = new Bridge({ config, log: silentLogger(), tuning: { birthDelayMs: 50, mqttReconnectMs: 200, pve: { hostRetryBaseMs: 500, retryBaseMs: 20 } } });
  await bridge.start();
}, 30_000);

afterAll(async () => {
  await client?.close();
  await bridge?.stop();
  await broker?.close();
  await sim?.stop();
});

/** States, availability and bridge info the broker sent to the panel's client (results, events and bridge/state apart). */
const statesToPanel = () => broker.toPanel.filter((m) => !/\/result$|\/bridge\/(event|state)$/.test(m.topic));

describe("the bridge's panel in process", () => {
  it("gets a poll's changes from the bridge's publisher: a browser sees them, the broker forwards the panel none", async () => {
    expect(broker.panelFilters.map((f) => f.topic)).not.toContain("pve2mqtt/#");
    client = await openWs(bridge.httpUrl!);
    await client.waitFor((m) => m.topic === "qemu/101", "guest 101 in the replay");
    await waitFor(() => broker.panelFilters.some((f) => f.op === "unsubscribe" && f.topic === "pve2mqtt/#"), "B/# dropped once the replay is over");
    expect(client.messages.map((m) => m.topic)).toEqual(expect.arrayContaining(["bridge/info", "bridge/state", "qemu/100", "qemu/100/availability"]));
    const replayed = statesToPanel().length;
    expect(replayed).toBeGreaterThan(10);
    expect(statesToPanel().every((m) => m.retain)).toBe(true); // the replay, nothing live

    sim.updateGuest(101, { name: "renamed-in-the-simulator" });
    await bridge.pollNow();
    const change = await client.waitFor((m) => m.topic === "qemu/101" && (m.payload as { name?: string }).name === "renamed-in-the-simulator", "the change on the WebSocket");
    expect(change.payload).toMatchObject({ vmid: 101, name: "renamed-in-the-simulator" });
    await client.waitFor((m) => m.topic === "bridge/info" && client!.messages.filter((n) => n.topic === "bridge/info").length > 1, "the poll's bridge/info");
    expect(statesToPanel().slice(replayed)).toEqual([]);
  });
});
