import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotificationEndpoint, MAX_NOTIFICATION_BYTES, NOTIFICATION_PATH, type BridgeEvent } from "../../src/http/notifications.js";
import { createPanel } from "../../src/http/panel/index.js";
import { startHttpServer, type HttpServer } from "../../src/http/server.js";
import { silentLogger } from "../../src/log.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { Publisher } from "../../src/mqtt/publisher.js";
import type { BridgeInfo } from "../../src/publish/info.js";
import { capturingLogger, connectionOptions, startAedes, waitFor, type TestBroker } from "../mqtt/helpers.js";
import { COMMANDS } from "../panel/helpers.js";
import { randomBody, seededRandom } from "./fuzz.js";
import { send, sendUnfinished, type Answer } from "./helpers.js";

const BASE = "pve2mqtt";
const EVENT_TOPIC = `${BASE}/bridge/event`;
const SECRET = "notification-secret-0123456789";
const PANEL_TOKEN = "panel-token-abcdefghijklmnop";
const health = { info: {} as BridgeInfo, metricsText: async () => ({ contentType: "text/plain", body: "" }) };

/** What PVE sends with the README's body template for a failed backup job. */
function pveBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    title: "vzdump backup status (pve1.lan): backup failed",
    message: "Details\n=======\nVMID  Name  Status\n101   db    err\n\nERROR: Backup of VM 101 failed - storage 'nas' is not online",
    severity: "error",
    timestamp: 1718000000,
    fields: { hostname: "pve1", type: "vzdump", "job-id": "backup-2b7d4c1e-8f3a" },
    ...overrides,
  });
}

const authorized = { authorization: `Bearer ${SECRET}`, "content-type": "application/json" };

interface Rig {
  broker: TestBroker;
  connection: MqttConnection;
  observer: MqttClient;
  events: Array<{ payload: string; retain: boolean; qos: number }>;
  notified: BridgeEvent[];
  http: HttpServer;
  url: string;
  logs: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** A real broker, the bridge's connection and Publisher, the HTTP server with the endpoint (and a panel with http.token), an observer on B/bridge/event. */
async function startRig(): Promise<Rig> {
  const { log, lines } = capturingLogger();
  const broker = await startAedes(silentLogger());
  const connection = await MqttConnection.connect(connectionOptions(broker.url, silentLogger()));
  const publisher = new Publisher(connection, silentLogger());
  const observer = await mqtt.connectAsync(broker.url, { clientId: `observer_${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 100 });
  const events: Rig["events"] = [];
  observer.on("message", (topic, payload, packet) => {
    if (topic === EVENT_TOPIC) events.push({ payload: payload.toString("utf8"), retain: packet.retain, qos: packet.qos });
  });
  await observer.subscribeAsync(EVENT_TOPIC, { qos: 1 });
  const notified: BridgeEvent[] = [];
  const notifications = createNotificationEndpoint({ secret: SECRET, base: BASE, publisher: () => publisher, onNotification: (event) => notified.push(event), log });
  const panel = createPanel({ base: BASE, host: "127.0.0.1", token: PANEL_TOKEN, language: "en", commands: COMMANDS, privileges: async () => null, log: silentLogger() });
  const http = await startHttpServer({ bridge: health, host: "127.0.0.1", port: 0, log: silentLogger(), panel, notifications });
  return {
    broker,
    connection,
    observer,
    events,
    notified,
    http,
    url: `${http.url}${NOTIFICATION_PATH}`,
    logs: lines,
    async stop() {
      await http.close();
      await observer.endAsync(true);
      await connection.close();
      await broker.stop();
    },
  };
}

/** Sends an accepted notification with a unique title and waits for it on MQTT: everything sent before it has arrived by then. */
async function sendMarker(rig: Rig, title: string): Promise<void> {
  const answer = await send(rig.url, { headers: authorized, body: pveBody({ title }) });
  expect(answer.status).toBe(204);
  await waitFor(() => rig.events.some((event) => (JSON.parse(event.payload) as BridgeEvent).title === title), `the marker ${title} on MQTT`);
}

function titles(rig: Rig, from: number): string[] {
  return rig.events.slice(from).map((event) => (JSON.parse(event.payload) as BridgeEvent).title);
}

describe("POST /api/pve-notification", () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig?.stop();
  });

  it("publishes PVE's notification on B/bridge/event (QoS 1, not retained) as the contract's event, and answers 204", async () => {
    const from = rig.events.length;
    const answer = await send(rig.url, { headers: authorized, body: pveBody() });
    expect(answer.status).toBe(204);
    expect(answer.body).toBe("");
    await waitFor(() => rig.events.length > from, "the event on MQTT");
    const received = rig.events[from]!;
    expect(received.retain).toBe(false);
    expect(received.qos).toBe(1);
    expect(JSON.parse(received.payload)).toEqual({
      type: "vzdump",
      event_type: "vzdump",
      severity: "error",
      title: "vzdump backup status (pve1.lan): backup failed",
      message: "Details\n=======\nVMID  Name  Status\n101   db    err\n\nERROR: Backup of VM 101 failed - storage 'nas' is not online",
      hostname: "pve1",
      job_id: "backup-2b7d4c1e-8f3a",
      time: "2024-06-10T06:13:20.000Z",
    });
    expect(rig.notified.at(-1)).toEqual(JSON.parse(received.payload));
  });

  it("makes a notification without type, hostname or job-id (PVE's test button) type other with nulls", async () => {
    const from = rig.events.length;
    const answer = await send(rig.url, {
      headers: authorized,
      body: JSON.stringify({ title: "Test notification", message: "This is a test of the notification target 'pve2mqtt'.", severity: "info", timestamp: 1718000001, fields: {} }),
    });
    expect(answer.status).toBe(204);
    await waitFor(() => rig.events.length > from, "the event on MQTT");
    expect(JSON.parse(rig.events[from]!.payload)).toEqual({
      type: "other",
      event_type: "other",
      severity: "info",
      title: "Test notification",
      message: "This is a test of the notification target 'pve2mqtt'.",
      hostname: null,
      job_id: null,
      time: "2024-06-10T06:13:21.000Z",
    });
  });

  it("passes a type Home Assistant does not list through as type, with event_type other", async () => {
    const from = rig.events.length;
    const body = pveBody({ title: "acme", severity: "notice", fields: { type: "acme", hostname: "pve3" } });
    expect((await send(rig.url, { headers: authorized, body })).status).toBe(204);
    await waitFor(() => rig.events.length > from, "the event on MQTT");
    expect(JSON.parse(rig.events[from]!.payload)).toMatchObject({ type: "acme", event_type: "other", severity: "notice", hostname: "pve3" });
  });

  it("passes other types through and keeps extra fields out of the event", async () => {
    const from = rig.events.length;
    const body = pveBody({ title: "updates", severity: "info", fields: { type: "package-updates", hostname: "pve2", extra: "x" }, timestamp: 1718000002.5 });
    expect((await send(rig.url, { headers: authorized, body })).status).toBe(204);
    await waitFor(() => rig.events.length > from, "the event on MQTT");
    expect(JSON.parse(rig.events[from]!.payload)).toEqual({
      type: "package-updates",
      event_type: "package-updates",
      severity: "info",
      title: "updates",
      message: expect.any(String),
      hostname: "pve2",
      job_id: null,
      time: "2024-06-10T06:13:22.500Z",
    });
  });

  const refused: Array<[string, () => Promise<Answer>, number, RegExp | null]> = [
    ["no Authorization header", () => send(rigUrl(), { body: pveBody() }), 401, /Bearer/],
    ["a wrong secret", () => send(rigUrl(), { headers: { authorization: "Bearer wrong-secret-0123456789" }, body: pveBody() }), 401, null],
    ["the secret with a prefix", () => send(rigUrl(), { headers: { authorization: `Bearer x${SECRET}` }, body: pveBody() }), 401, null],
    ["the secret in Basic auth", () => send(rigUrl(), { headers: { authorization: `Basic ${Buffer.from(`u:${SECRET}`).toString("base64")}` }, body: pveBody() }), 401, null],
    ["the secret in the query", () => send(`${rigUrl()}?token=${SECRET}`, { body: pveBody() }), 401, null],
    ["the panel's http.token", () => send(rigUrl(), { headers: { authorization: `Bearer ${PANEL_TOKEN}` }, body: pveBody() }), 401, null],
    ["a body that is not JSON", () => send(rigUrl(), { headers: authorized, body: "title=backup failed" }), 400, /not JSON/],
    ["an empty body", () => send(rigUrl(), { headers: authorized, body: "" }), 400, /not JSON/],
    ["a JSON array", () => send(rigUrl(), { headers: authorized, body: `[${pveBody()}]` }), 400, /not an object \(an array\)/],
    ["JSON null", () => send(rigUrl(), { headers: authorized, body: "null" }), 400, /not an object \(null\)/],
    ["a missing title", () => send(rigUrl(), { headers: authorized, body: pveBody({ title: undefined }) }), 400, /title: .*expected string/],
    ["a timestamp as a string", () => send(rigUrl(), { headers: authorized, body: pveBody({ timestamp: "1718000000" }) }), 400, /timestamp: .*expected number/],
    ["a timestamp out of range", () => send(rigUrl(), { headers: authorized, body: pveBody({ timestamp: 1e20 }) }), 400, /timestamp: expected seconds since the epoch/],
    ["no fields", () => send(rigUrl(), { headers: authorized, body: pveBody({ fields: undefined }) }), 400, /fields: /],
    ["fields.type not a string", () => send(rigUrl(), { headers: authorized, body: pveBody({ fields: { type: 5 } }) }), 400, /fields\.type: .*expected string/],
    ["an empty severity", () => send(rigUrl(), { headers: authorized, body: pveBody({ severity: "" }) }), 400, /severity: expected a severity/],
    [
      "a Content-Length over 64 kB",
      () => send(rigUrl(), { headers: authorized, body: pveBody({ message: "x".repeat(MAX_NOTIFICATION_BYTES) }) }),
      413,
      /larger than 65536 bytes/,
    ],
    ["GET", () => send(rigUrl(), { method: "GET", headers: authorized }), 405, /POST/],
    ["PUT", () => send(rigUrl(), { method: "PUT", headers: authorized, body: pveBody() }), 405, /POST/],
  ];
  function rigUrl(): string {
    return rig.url;
  }

  it.each(refused)("refuses %s with its status and the reason, publishing nothing", async (_what, request, status, reason) => {
    const from = rig.events.length;
    const answer = await request();
    expect(answer.status).toBe(status);
    if (reason) expect((JSON.parse(answer.body) as { error: string }).error).toMatch(reason);
    await sendMarker(rig, `after ${status} ${_what}`);
    expect(titles(rig, from)).toEqual([`after ${status} ${_what}`]);
  });

  it("stops reading a chunked body past 64 kB and answers 413 before the sender is done", async () => {
    const from = rig.events.length;
    const chunk = Buffer.alloc(16 * 1024, "x");
    const answer = await sendUnfinished(rig.url, authorized, chunk, 1000);
    expect(answer.status).toBe(413);
    expect(answer.chunksWritten).toBeLessThan(1000);
    await sendMarker(rig, "after an endless body");
    expect(titles(rig, from)).toEqual(["after an endless body"]);
  });

  it("accepts a body of just under 64 kB", async () => {
    const padding = MAX_NOTIFICATION_BYTES - Buffer.byteLength(pveBody({ message: "" })) - 10;
    const body = pveBody({ message: "é".repeat(Math.floor(padding / 2)) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_NOTIFICATION_BYTES);
    const from = rig.events.length;
    expect((await send(rig.url, { headers: authorized, body })).status).toBe(204);
    await waitFor(() => rig.events.length > from, "the event on MQTT");
    expect((JSON.parse(rig.events[from]!.payload) as BridgeEvent).message).toBe("é".repeat(Math.floor(padding / 2)));
  });

  it("is not guarded by the panel's http.token, while the panel's API still is", async () => {
    expect((await send(`${rig.http.url}/api/meta`, { method: "GET" })).status).toBe(401);
    expect((await send(rig.url, { headers: authorized, body: pveBody({ title: "no panel token" }) })).status).toBe(204);
    expect((await send(rig.url, { headers: { ...authorized, authorization: `Bearer ${SECRET}`, cookie: "x" }, body: pveBody({ title: "still" }) })).status).toBe(204);
  });

  it("never logs the secret, a wrong secret or the body, and keeps lines that carry notification text short", async () => {
    const marker = "MARKER-4f1c";
    await send(rig.url, { headers: { authorization: "Bearer a-wrong-secret-that-must-not-leak" }, body: pveBody() });
    await send(rig.url, { headers: authorized, body: `{"title": "${marker}${"y".repeat(5000)}` });
    const long = { title: marker, severity: marker.repeat(5), fields: { type: marker.repeat(50), hostname: marker.repeat(50) } };
    expect((await send(rig.url, { headers: authorized, body: pveBody(long) })).status).toBe(204);
    await sendMarker(rig, "after the log checks");
    const text = rig.logs.map((line) => JSON.stringify(line));
    expect(text.join("\n")).not.toContain(SECRET);
    expect(text.join("\n")).not.toContain("a-wrong-secret-that-must-not-leak");
    expect(text.join("\n")).not.toContain("yyyyyyyyyy");
    const carrying = text.filter((line) => line.includes(marker));
    expect(carrying.length).toBeGreaterThan(0);
    for (const line of carrying) expect(line.length, line).toBeLessThanOrEqual(200);
    expect(rig.logs.some((line) => line.msg === "PVE notification refused (401): missing or wrong secret")).toBe(true);
  });
});

describe("POST /api/pve-notification under fuzzing", () => {
  it("answers 2,000 random requests with a known status, publishes exactly the accepted ones and stays up", async () => {
    const rig = await startRig();
    try {
      const random = seededRandom(9);
      const statuses = new Map<number, number>();
      const from = rig.events.length;
      const authorizations = [`Bearer ${SECRET}`, `Bearer ${SECRET}`, `Bearer ${SECRET}`, `bearer ${SECRET}`, `Bearer ${SECRET.slice(1)}`, "Bearer", "Basic abc", `Bearer ${PANEL_TOKEN}`, undefined];
      for (let i = 0; i < 2_000; i++) {
        const authorization = authorizations[Math.floor(random() * authorizations.length)];
        const method = random() < 0.9 ? "POST" : (["GET", "PUT", "DELETE", "PATCH"] as const)[Math.floor(random() * 4)]!;
        const headers: Record<string, string> = { "content-type": random() < 0.5 ? "application/json" : "text/plain" };
        if (authorization !== undefined) headers.authorization = authorization;
        const answer = await send(rig.url, { method, headers, body: method === "GET" ? undefined : randomBody(random, "FUZZ") });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      }
      expect([...statuses.keys()].every((status) => [204, 400, 401, 405].includes(status))).toBe(true);
      expect(statuses.get(204)).toBeGreaterThan(50);
      await sendMarker(rig, "after the fuzz");
      expect(rig.events.length - from).toBe((statuses.get(204) ?? 0) + 1);
    } finally {
      await rig.stop();
    }
  });
});

describe("POST /api/pve-notification while the broker is down", () => {
  it("answers 503 and publishes nothing; once the broker is back, publishes again", async () => {
    const rig = await startRig();
    try {
      await sendMarker(rig, "before the broker stops");
      await rig.broker.stop();
      await waitFor(() => !rig.connection.connected, "the connection to notice the broker is down");
      const answer = await send(rig.url, { headers: authorized, body: pveBody({ title: "while down" }) });
      expect(answer.status).toBe(503);
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(/not connected to the MQTT broker/);
      expect(rig.notified.map((event) => event.title)).toEqual(["before the broker stops"]);

      await rig.broker.restart();
      await waitFor(() => rig.connection.connected && rig.observer.connected, "both clients to reconnect", 10_000);
      await rig.observer.subscribeAsync(EVENT_TOPIC, { qos: 1 });
      const from = rig.events.length;
      await sendMarker(rig, "after the broker is back");
      expect(titles(rig, from)).toEqual(["after the broker is back"]);
    } finally {
      await rig.stop();
    }
  });
});

describe("POST /api/pve-notification without notifications.secret", () => {
  it("is 404 whatever the method", async () => {
    const http = await startHttpServer({ bridge: health, host: "127.0.0.1", port: 0, log: silentLogger() });
    try {
      for (const method of ["POST", "GET"]) {
        const answer = await send(`${http.url}${NOTIFICATION_PATH}`, { method, headers: authorized, body: method === "POST" ? pveBody() : undefined });
        expect(answer.status).toBe(404);
        expect(answer.body).toContain("notifications.secret");
      }
    } finally {
      await http.close();
    }
  });
});
