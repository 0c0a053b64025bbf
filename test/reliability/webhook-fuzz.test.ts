import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeProcess } from "../../src/bench/bridge-process.js";
import { NOTIFICATION_PATH } from "../../src/http/notifications.js";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator } from "../../src/sim/index.js";
import { startBridgeProcess } from "./bridge-process.js";
import { waitFor } from "../mqtt/helpers.js";
import { randomBody, randomHeaders, seededRandom } from "../http/fuzz.js";
import { send } from "../http/helpers.js";

const TOTAL = 10_000;
/** Requests before the first memory reading: JIT, allocator and V8's page pools settle first. */
const WARM_UP = 4_000;
const SECRET = "webhook-fuzz-secret-0123456789";
/** What the endpoint may answer: accepted, bad JSON, wrong secret, wrong method, too large, bad encoding. */
const KNOWN_STATUSES = [204, 400, 401, 405, 413, 415];

/**
 * The webhook of CONTRACT section 9 under 10,000 random bodies and headers, the bridge in a process
 * of its own started the way it ships, so the RSS measured is the daemon's.
 */
describe("10,000 random requests to POST /api/pve-notification", () => {
  let sim: PveSimulator;
  let broker: EmbeddedBroker;
  let bridge: BridgeProcess;
  let stopBridge: (() => Promise<void>) | undefined;
  let observer: MqttClient;
  let events = 0;

  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    observer = await mqtt.connectAsync(broker.url, { clientId: "webhook-fuzz-observer" });
    observer.on("message", () => events++);
    await observer.subscribeAsync("pve2mqtt/bridge/event", { qos: 1 });
    ({ bridge, stop: stopBridge } = await startBridgeProcess(sim, broker.url, {
      poll: { interval: 60 },
      http: { host: "127.0.0.1", port: 0 },
      notifications: { secret: SECRET },
    }));
  });
  afterAll(async () => {
    await observer?.endAsync();
    await stopBridge?.();
    await broker?.close();
    await sim?.stop();
  });

  it("answers each with a known status, publishes exactly the accepted ones, stays up, RSS grows by less than 10 MB", { timeout: 120_000 }, async () => {
    const url = `${await bridge.url()}${NOTIFICATION_PATH}`;
    const random = seededRandom(20261207);
    const statuses = new Map<number, number>();
    const run = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const method = random() < 0.95 ? "POST" : (["PUT", "DELETE", "PATCH"] as const)[Math.floor(random() * 3)]!;
        const answer = await send(url, { method, headers: randomHeaders(random, SECRET), body: randomBody(random, "FUZZ") });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      }
    };

    await run(WARM_UP);
    const afterWarmUp = await bridge.memory();
    await run(TOTAL - WARM_UP);
    const afterRun = await bridge.memory();

    const unknown = [...statuses.keys()].filter((status) => !KNOWN_STATUSES.includes(status));
    expect(unknown, JSON.stringify([...statuses])).toEqual([]);
    const accepted = statuses.get(204) ?? 0;
    expect(accepted).toBeGreaterThan(500);
    expect(statuses.get(401)).toBeGreaterThan(500);
    expect(statuses.get(400)).toBeGreaterThan(500);
    // every accepted notification, and nothing else, reaches B/bridge/event: a last valid one marks the end
    const marker = await send(url, { headers: { authorization: `Bearer ${SECRET}`, "content-type": "application/json" }, body: JSON.stringify({ title: "after the fuzz", message: "", severity: "info", timestamp: 1718000000, fields: { type: "system-mail" } }) });
    expect(marker.status).toBe(204);
    await waitFor(() => events >= accepted + 1, "the accepted notifications on B/bridge/event", 10_000);
    // QoS 1 to the observer: a surplus would have arrived with the marker
    expect(events).toBe(accepted + 1);
    expect(await bridge.prototypePolluted()).toBe(false);
    const growth = afterRun.rssMb - afterWarmUp.rssMb;
    expect(growth, `the bridge's RSS grew by ${growth.toFixed(1)} MB`).toBeLessThan(10);
  });
});
