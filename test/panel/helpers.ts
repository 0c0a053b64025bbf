import { once } from "node:events";
import mqtt, { type MqttClient } from "mqtt";
import WebSocket from "ws";
import type { Config } from "../../src/config/schema.js";
import { createPanel, type Panel, type PanelOptions } from "../../src/http/panel/index.js";
import { startHttpServer, type HttpServer } from "../../src/http/server.js";
import type { Logger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import type { BridgeInfo } from "../../src/publish/info.js";
import { silentLogger } from "../../src/log.js";
import { waitFor } from "../mqtt/helpers.js";

export const BASE = "pve2mqtt";

export const COMMANDS: Config["commands"] = {
  enabled: true,
  allow: ["start", "shutdown", "stop", "reboot", "suspend", "resume", "snapshot", "backup"],
  node_power: false,
  backup: { mode: "snapshot", compress: "zstd" },
};

/** A panel served over HTTP on 127.0.0.1, its own MQTT client on a real aedes broker, and a client playing the bridge. */
export interface PanelRig {
  broker: EmbeddedBroker;
  /** Plays the bridge: publishes states and results, records what arrives under B/#. */
  bridge: MqttClient;
  received: Array<{ topic: string; payload: string; retain: boolean }>;
  panel: Panel;
  http: HttpServer;
  stop(): Promise<void>;
}

export async function startPanelRig(overrides: Partial<PanelOptions> = {}, log: Logger = silentLogger()): Promise<PanelRig> {
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
  const bridge = await mqtt.connectAsync(broker.url, { clientId: `rig_${Math.random().toString(16).slice(2, 8)}` });
  const received: PanelRig["received"] = [];
  bridge.on("message", (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await bridge.subscribeAsync(`${BASE}/#`, { qos: 1 });
  const panel = createPanel({
    base: BASE,
    host: "127.0.0.1",
    language: "en",
    commands: COMMANDS,
    privileges: async () => [
      { feature: "read inventory", ok: true, missing: [] },
      { feature: "guest IPs", ok: false, missing: ["VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)"] },
      { feature: "backups", ok: false, missing: ["VM.Backup"] },
    ],
    log,
    ...overrides,
  });
  const http = await servePanel(panel, log);
  await panel.connectBroker({ url: broker.url });
  return {
    broker,
    bridge,
    received,
    panel,
    http,
    async stop() {
      await http.close();
      await bridge.endAsync(true);
      await broker.close();
    },
  };
}

/** The panel served on 127.0.0.1 (an ephemeral port) by the bridge's HTTP server, with an empty health side. */
export function servePanel(panel: Panel, log: Logger): Promise<HttpServer> {
  const health = { info: {} as BridgeInfo, metricsText: async () => ({ contentType: "text/plain", body: "" }) };
  return startHttpServer({ bridge: health, host: "127.0.0.1", port: 0, log, panel });
}

/** A WebSocket client of /api/ws that records every message. */
export interface WsClient {
  socket: WebSocket;
  messages: Array<{ topic: string; payload: unknown }>;
  closed: Promise<{ code: number; reason: string }>;
  send(value: unknown): void;
  waitFor(predicate: (message: { topic: string; payload: unknown }) => boolean, what: string, timeoutMs?: number): Promise<{ topic: string; payload: unknown }>;
  close(): Promise<void>;
}

export async function openWs(url: string, options: { token?: string; headers?: Record<string, string> } = {}): Promise<WsClient> {
  const wsUrl = new URL("/api/ws", url.replace(/^http/, "ws"));
  if (options.token !== undefined) wsUrl.searchParams.set("token", options.token);
  const socket = new WebSocket(wsUrl, { headers: options.headers });
  const messages: WsClient["messages"] = [];
  socket.on("message", (data) => messages.push(JSON.parse(String(data)) as { topic: string; payload: unknown }));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  await Promise.race([once(socket, "open"), closed]);
  return {
    socket,
    messages,
    closed,
    send: (value) => socket.send(typeof value === "string" ? value : JSON.stringify(value)),
    async waitFor(predicate, what, timeoutMs = 5000) {
      await waitFor(() => messages.some(predicate), what, timeoutMs);
      return messages.find(predicate)!;
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await closed;
    },
  };
}
