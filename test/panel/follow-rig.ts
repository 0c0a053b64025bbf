import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { Aedes, type Client, type PublishPacket, type Subscription } from "aedes";
import mqtt, { type MqttClient } from "mqtt";
import { createPanel, type Panel } from "../../src/http/panel/index.js";
import type { HttpServer } from "../../src/http/server.js";
import { silentLogger } from "../../src/log.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { Publisher } from "../../src/mqtt/publisher.js";
import { connectionOptions } from "../mqtt/helpers.js";
import { BASE, COMMANDS, servePanel } from "./helpers.js";

/** What the broker sent to the panel's own MQTT client. */
export interface Forwarded {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Hooks into the broker, set by a test: called before it takes a subscription or a publish. */
export interface BrokerHooks {
  subscribe?: (client: Client, subscription: Subscription) => void;
  /** Return false to hold the publish (the broker handles it once `release` is called). */
  publish?: (packet: PublishPacket, release: () => void) => boolean;
}

/**
 * A panel following a real Publisher (the bridge's way of sending) over a real MqttConnection, on an
 * aedes broker that records what it forwards to the panel's client and which filters that client
 * subscribes and unsubscribes: the broker's own view of what the mirror costs.
 */
export interface FollowRig {
  publisher: Publisher;
  panel: Panel;
  http: HttpServer;
  /** A plain client subscribed to B/#, as any other subscriber: it sees what the broker forwards. */
  observer: MqttClient;
  observed: Forwarded[];
  toPanel: Forwarded[];
  /** The panel client's SUBSCRIBE and UNSUBSCRIBE filters, in order. */
  panelFilters: RecordingBroker["panelFilters"];
  hooks: BrokerHooks;
  stop(): Promise<void>;
}

const isPanel = (client: Client | null) => client?.id.startsWith("pve2mqtt_panel_") ?? false;

/** An aedes broker on 127.0.0.1 that records what it forwards to the panel's client and which filters that client (un)subscribes. */
export interface RecordingBroker {
  url: string;
  toPanel: Forwarded[];
  panelFilters: Array<{ op: "subscribe" | "unsubscribe"; topic: string }>;
  hooks: BrokerHooks;
  close(): Promise<void>;
}

export async function startRecordingBroker(): Promise<RecordingBroker> {
  const toPanel: Forwarded[] = [];
  const panelFilters: RecordingBroker["panelFilters"] = [];
  const hooks: BrokerHooks = {};
  const aedes = await Aedes.createBroker({
    authorizeSubscribe: (client, subscription, callback) => {
      hooks.subscribe?.(client, subscription);
      callback(null, subscription);
    },
    authorizePublish: (_client, packet, callback) => {
      if (hooks.publish && !hooks.publish(packet, () => callback(null))) return;
      callback(null);
    },
    authorizeForward: (client, packet) => {
      if (isPanel(client)) toPanel.push({ topic: packet.topic, payload: packet.payload.toString(), retain: packet.retain });
      return packet;
    },
  });
  aedes.on("subscribe", (subscriptions, client) => {
    if (isPanel(client)) for (const { topic } of subscriptions) panelFilters.push({ op: "subscribe", topic });
  });
  aedes.on("unsubscribe", (topics, client) => {
    if (isPanel(client)) for (const topic of topics) panelFilters.push({ op: "unsubscribe", topic });
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    aedes.handle(socket);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    url: `mqtt://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`,
    toPanel,
    panelFilters,
    hooks,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startFollowRig(options: { follow?: boolean } = {}): Promise<FollowRig> {
  const log = silentLogger();
  const broker = await startRecordingBroker();
  const { url, toPanel, panelFilters, hooks } = broker;

  const connection = await MqttConnection.connect(connectionOptions(url, log), 5_000);
  const publisher = new Publisher(connection, log);
  const observer = await mqtt.connectAsync(url, { clientId: `observer_${Math.random().toString(16).slice(2, 8)}` });
  const observed: Forwarded[] = [];
  observer.on("message", (topic, payload, packet) => observed.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await observer.subscribeAsync(`${BASE}/#`, { qos: 1 });

  const panel = createPanel({ base: BASE, host: "127.0.0.1", language: "en", commands: COMMANDS, privileges: async () => null, log });
  const http = await servePanel(panel, log);
  // as the bridge does: the panel's client on the same broker, then the session's publisher followed
  await panel.connectBroker({ url });
  if (options.follow !== false) panel.follow(publisher);
  return {
    publisher,
    panel,
    http,
    observer,
    observed,
    toPanel,
    panelFilters,
    hooks,
    async stop() {
      await http.close();
      await observer.endAsync(true);
      await connection.close();
      await broker.close();
    },
  };
}
