import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { generate } from "mqtt-packet";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { MqttConnectError } from "../../src/mqtt/errors.js";
import { BROKERS, capturingLogger, connectionOptions, recordMessages, waitFor, type TestBroker } from "./helpers.js";

const log = silentLogger();

describe.each(BROKERS)("MqttConnection against %s", (_name, start) => {
  let broker: TestBroker;
  const open: MqttConnection[] = [];

  beforeAll(async () => {
    broker = await start(log);
  });
  afterAll(async () => {
    for (const connection of open) await connection.close();
    await broker?.stop();
  });

  async function connect(overrides: Parameters<typeof connectionOptions>[2] = {}): Promise<MqttConnection> {
    const connection = await MqttConnection.connect(connectionOptions(broker.url, log, overrides), 5_000);
    open.push(connection);
    return connection;
  }

  /** Publishes a marker on a topic the receiver listens to and waits for it: everything sent before it has been delivered. */
  async function sync(sender: MqttConnection, received: { topic: string }[], topic: string): Promise<void> {
    await sender.publish(topic, "sync", { retain: false, qos: 1 });
    await waitFor(() => received.some((message) => message.topic === topic), `the marker on ${topic}`);
  }

  it("publishes and receives", async () => {
    const receiver = await connect();
    const sender = await connect();
    const messages = recordMessages(receiver);
    await receiver.subscribe(["pr/#"], 1);
    expect(await sender.publish("pr/a", "one", { retain: false, qos: 1 })).toBe(true);
    expect(await sender.publish("pr/b", Buffer.from("two"), { retain: false, qos: 0 })).toBe(true);
    expect(sender.publishUnconfirmed("pr/c", "three", false)).toBe(true);
    await sender.drained();
    await waitFor(() => messages.length === 3, "three messages");
    expect(messages.map((message) => [message.topic, message.payload.toString(), message.retain])).toEqual([
      ["pr/a", "one", false],
      ["pr/b", "two", false],
      ["pr/c", "three", false],
    ]);
  });

  it("delivers unconfirmed messages whole and in the order handed over, with others in between", async () => {
    const receiver = await connect();
    const sender = await connect();
    const messages = recordMessages(receiver);
    await receiver.subscribe(["or/#"], 1);
    // sizes that make packets straddle the 64 kB batches, one packet larger than a batch, multi-byte text
    const sent: Array<[string, string]> = [];
    for (let i = 0; i < 300; i++) {
      const payload = i === 150 ? "é".repeat(100_000) : `${i}:${"x".repeat((i * 7919) % 3000)}`;
      sent.push([`or/${i}`, payload]);
      expect(sender.publishUnconfirmed(`or/${i}`, payload, false)).toBe(true);
      if (i === 100) {
        // a message through mqtt.js goes out after everything handed over before it
        sent.push(["or/through-mqtt.js", "c"]);
        void sender.publish("or/through-mqtt.js", "c", { retain: false, qos: 0 });
      }
      if (!sender.writable) await sender.drained();
    }
    await sender.drained();
    await waitFor(() => messages.length === sent.length, `${sent.length} messages`);
    expect(messages.map((message) => [message.topic, message.payload.toString()])).toEqual(sent);
  });

  it("calls a connect listener registered while connected once, as the first connection", async () => {
    const connection = await connect();
    const calls: boolean[] = [];
    connection.onConnect(({ reconnect }) => calls.push(reconnect));
    await waitFor(() => calls.length === 1, "the connect listener");
    expect(calls).toEqual([false]);
  });

  it("readRetained returns the retained messages under the filter only", async () => {
    const writer = await connect();
    await writer.publish("rr/a", "A", { retain: true, qos: 1 });
    await writer.publish("rr/deep/b", "B", { retain: true, qos: 1 });
    await writer.publish("rr/gone", "G", { retain: true, qos: 1 });
    await writer.publish("rr/gone", "", { retain: true, qos: 1 });
    await writer.publish("rr_other/c", "C", { retain: true, qos: 1 });

    const reader = await connect();
    const messages = recordMessages(reader);
    await reader.subscribe(["rr/#"], 1);
    // the subscription brought the retained ones once; reading must ask the broker for them again
    await waitFor(() => messages.filter((message) => message.retain).length === 2, "the retained messages of the subscription");
    // live (not retained) messages arriving on the same filter while reading are left out
    const reading = reader.readRetained("rr/#", 300);
    await writer.publish("rr/live", "L", { retain: false, qos: 1 });
    const retained = await reading;
    expect(Object.fromEntries([...retained].map(([topic, payload]) => [topic, payload.toString()]))).toEqual({ "rr/a": "A", "rr/deep/b": "B" });
    expect(messages.some((message) => message.topic === "rr/live" && !message.retain)).toBe(true);
    // the filter was also subscribed for good: it stays subscribed
    await sync(writer, messages, "rr/after");
  });

  it("readRetained unsubscribes its filter afterwards", async () => {
    const writer = await connect();
    await writer.publish("ru/x", "X", { retain: true, qos: 1 });
    const reader = await connect();
    const retained = await reader.readRetained("ru/#", 200);
    expect([...retained.keys()]).toEqual(["ru/x"]);
    const messages = recordMessages(reader);
    await reader.subscribe(["ru_marker"], 1);
    await writer.publish("ru/y", "Y", { retain: false, qos: 1 });
    await sync(writer, messages, "ru_marker");
    expect(messages.map((message) => message.topic)).toEqual(["ru_marker"]);
  });

  it("delivers the will when the connection dies abruptly", async () => {
    const observer = await connect();
    const seen = recordMessages(observer);
    await observer.subscribe(["will1/#"], 1);
    const victim = await connect({ will: { topic: "will1/state", payload: "offline", retain: true, qos: 1 } });
    await victim.publish("will1/state", "online", { retain: true, qos: 1 });
    await waitFor(() => seen.some((message) => message.payload.toString() === "online"), "online");
    (victim as unknown as { client: MqttClient }).client.stream.destroy();
    await waitFor(() => seen.some((message) => message.topic === "will1/state" && message.payload.toString() === "offline"), "the will");
    const retained = await observer.readRetained("will1/#", 200);
    expect(retained.get("will1/state")?.toString()).toBe("offline");
  });

  it("close({ finalPublish }) leaves the final payload retained and no will", async () => {
    const connection = await connect({ will: { topic: "fin/state", payload: "will-was-sent", retain: true, qos: 1 } });
    await connection.publish("fin/state", "online", { retain: true, qos: 1 });
    await connection.close({ finalPublish: { topic: "fin/state", payload: "offline" } });
    expect(connection.connected).toBe(false);
    expect(await connection.publish("fin/state", "late", { retain: true, qos: 1 })).toBe(false);
    const reader = await connect();
    const retained = await reader.readRetained("fin/#", 300);
    expect(retained.get("fin/state")?.toString()).toBe("offline");
  });

  it("reconnects after the broker restarts on the same port, re-subscribes, and tells its listeners", async () => {
    const connection = await connect();
    const messages = recordMessages(connection);
    await connection.subscribe(["rc/#"], 1);
    const connects: boolean[] = [];
    connection.onConnect(({ reconnect }) => connects.push(reconnect));
    await waitFor(() => connects.length === 1, "the replayed first connection");

    await broker.restart();
    await waitFor(() => connects.length === 2, "the reconnect");
    expect(connects).toEqual([false, true]);
    expect(connection.connected).toBe(true);

    const sender = await connect();
    // the renewed subscription may reach the broker just after the CONNACK: repeat until it is in place
    let round = 0;
    await waitFor(() => {
      void sender.publish("rc/after", String(round++), { retain: false, qos: 0 });
      return messages.some((message) => message.topic === "rc/after");
    }, "a message on the renewed subscription");
  });
});

describe("MqttConnection while disconnected", () => {
  it("drops what is published (resolving false) and sends again once reconnected", async () => {
    const { log, lines } = capturingLogger();
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
    const port = broker.port;
    const connection = await MqttConnection.connect(connectionOptions(broker.url, log), 5_000);
    await broker.close();
    await waitFor(() => !connection.connected, "the disconnect");
    expect(await connection.publish("dc/x", "x", { retain: false, qos: 1 })).toBe(false);
    expect(connection.publishUnconfirmed("dc/y", "y", true)).toBe(false);
    // nothing to drain on a closed socket: a publisher waiting for room is not left hanging
    await connection.drained();
    const again = await startEmbeddedBroker({ host: "127.0.0.1", port, log });
    try {
      await waitFor(() => connection.connected, "the reconnect");
      expect(await connection.publish("dc/x", "x", { retain: false, qos: 1 })).toBe(true);
      expect(connection.publishUnconfirmed("dc/y", "y", true)).toBe(true);
      // one warning for the outage, however many reconnect attempts it took
      expect(lines.filter((line) => line.msg === "lost the connection to the MQTT broker; reconnecting")).toHaveLength(1);
      expect(lines.filter((line) => line.msg === "reconnected to the MQTT broker")).toHaveLength(1);
    } finally {
      await connection.close();
      await again.close();
    }
  });
});

describe("MqttConnection against a broker that stops reading", () => {
  it("wakes every caller waiting for the socket to drain, once the broker reads again", async () => {
    // accepts the connection, then reads nothing until told to: the socket's buffers fill up
    let brokerSide: Socket | undefined;
    const server = createServer((socket) => {
      brokerSide = socket;
      socket.once("data", () => {
        socket.pause();
        socket.write(generate({ cmd: "connack", returnCode: 0, sessionPresent: false }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const sender = await MqttConnection.connect(connectionOptions(`mqtt://127.0.0.1:${port}`, log), 5_000);
    try {
      const chunk = "x".repeat(64 * 1024);
      // far more than the system's socket buffers take (a few MB): the rest stays in the stream
      for (let handedOver = 0; handedOver < 300; handedOver++) expect(sender.publishUnconfirmed("dr/a", chunk, false)).toBe(true);
      expect(sender.writable).toBe(false);
      let woken = 0;
      const waits = [sender.drained(), sender.drained(), sender.drained()].map((wait) => wait.then(() => woken++));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(woken).toBe(0);
      brokerSide!.resume();
      await Promise.all(waits);
      expect(woken).toBe(3);
      expect(sender.writable).toBe(true);
    } finally {
      brokerSide?.destroy();
      await sender.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("MqttConnection first connect failures", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  async function listen(onSocket: (socket: Socket) => void): Promise<number> {
    const server = createServer(onSocket);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  it("rejects clearly when nothing listens", async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const error = await MqttConnection.connect(connectionOptions(`mqtt://127.0.0.1:${port}`, log), 5_000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MqttConnectError);
    expect(error).toMatchObject({ reason: "refused" });
    expect((error as Error).message).toContain(`MQTT broker at mqtt://127.0.0.1:${port} refused the connection (ECONNREFUSED)`);
  });

  it("rejects with a timeout when the broker never answers", async () => {
    const sockets: Socket[] = [];
    const port = await listen((socket) => sockets.push(socket));
    const error = await MqttConnection.connect(connectionOptions(`mqtt://user:hunter2@127.0.0.1:${port}`, log), 300).catch((caught: unknown) => caught);
    for (const socket of sockets) socket.destroy();
    expect(error).toMatchObject({ reason: "timeout" });
    expect((error as Error).message).toBe(`MQTT broker at mqtt://127.0.0.1:${port} did not accept the connection within 300 ms; check mqtt.url and that the broker runs`);
  });
});
