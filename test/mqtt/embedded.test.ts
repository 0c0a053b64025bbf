import { createServer, type Server } from "node:net";
import { connectAsync } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { brokerUrl, exposureWarning, startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { MqttConnectError } from "../../src/mqtt/errors.js";
import { capturingLogger, connectionOptions } from "./helpers.js";

const toClose: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of toClose.splice(0).reverse()) await close();
});

async function broker(options: { username?: string; password?: string } = {}): Promise<EmbeddedBroker> {
  const started = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger(), ...options });
  toClose.push(() => started.close());
  return started;
}

describe("embedded broker", () => {
  it("listens on a free port and carries messages between real mqtt.js clients", async () => {
    const started = await broker();
    expect(started.port).toBeGreaterThan(0);
    expect(started.url).toBe(`mqtt://127.0.0.1:${started.port}`);
    const subscriber = await connectAsync(started.url, { protocolVersion: 4 });
    toClose.push(() => subscriber.endAsync());
    const publisher = await connectAsync(started.url, { protocolVersion: 4 });
    toClose.push(() => publisher.endAsync());
    await subscriber.subscribeAsync("a/#", { qos: 1 });
    const received = new Promise<[string, string]>((resolve) => subscriber.once("message", (topic, payload) => resolve([topic, payload.toString()])));
    await publisher.publishAsync("a/b", "hello", { qos: 1 });
    expect(await received).toEqual(["a/b", "hello"]);
  });

  it("requires the credentials when they are set", async () => {
    const started = await broker({ username: "bridge", password: "s3cret" });
    const log = silentLogger();
    const wrong = MqttConnection.connect(connectionOptions(started.url, log, { username: "bridge", password: "nope" }), 5_000);
    await expect(wrong).rejects.toBeInstanceOf(MqttConnectError);
    await expect(wrong).rejects.toMatchObject({ reason: "auth" });
    await expect(wrong).rejects.toThrow(/refused the username or password; check mqtt.username and mqtt.password/);
    await expect(MqttConnection.connect(connectionOptions(started.url, log), 5_000)).rejects.toMatchObject({ reason: "auth" });
    const right = await MqttConnection.connect(connectionOptions(started.url, log, { username: "bridge", password: "s3cret" }), 5_000);
    expect(right.connected).toBe(true);
    await right.close();
  });

  it("never puts the password in the error", async () => {
    const started = await broker({ username: "u", password: "right-one" });
    const error = await MqttConnection.connect(connectionOptions(started.url, silentLogger(), { username: "u", password: "wrong-one" }), 5_000).catch((caught: Error) => caught);
    expect(String((error as Error).message)).not.toMatch(/wrong-one|right-one/);
  });

  it("rejects with code EADDRINUSE when the port is taken", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    toClose.push(() => new Promise((resolve) => blocker.close(resolve)));
    const address = blocker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    await expect(startEmbeddedBroker({ host: "127.0.0.1", port, log: silentLogger() })).rejects.toMatchObject({ code: "EADDRINUSE" });
  });

  it("releases its port on close, so a new broker can take it", async () => {
    const first = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    const client = await connectAsync(first.url, { protocolVersion: 4, reconnectPeriod: 0 });
    await first.close();
    await client.endAsync(true);
    const again = await startEmbeddedBroker({ host: "127.0.0.1", port: first.port, log: silentLogger() });
    toClose.push(() => again.close());
    expect(again.port).toBe(first.port);
  });

  it("logs that it started, and warns only when open to the network without credentials", async () => {
    const { log, lines } = capturingLogger();
    const started = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
    toClose.push(() => started.close());
    expect(lines.some((line) => line.msg === "embedded MQTT broker started" && line.port === started.port)).toBe(true);
    expect(lines.some((line) => line.level === 40)).toBe(false);
    expect(exposureWarning("127.0.0.1", false)).toBeUndefined();
    expect(exposureWarning("::1", false)).toBeUndefined();
    expect(exposureWarning("0.0.0.0", true)).toBeUndefined();
    expect(exposureWarning("0.0.0.0", false)).toMatch(/set embedded_broker.username and password/);
    expect(exposureWarning("192.0.2.5", false)).toMatch(/beyond loopback/);
  });

  it("gives a URL that local clients can reach", () => {
    expect(brokerUrl("127.0.0.1", 1883)).toBe("mqtt://127.0.0.1:1883");
    expect(brokerUrl("0.0.0.0", 1883)).toBe("mqtt://127.0.0.1:1883");
    expect(brokerUrl("::", 1884)).toBe("mqtt://[::1]:1884");
    expect(brokerUrl("fd00::5", 1)).toBe("mqtt://[fd00::5]:1");
  });
});
