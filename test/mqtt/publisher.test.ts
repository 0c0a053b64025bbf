import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { Publisher, type PublishTarget } from "../../src/mqtt/publisher.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { connectionOptions } from "./helpers.js";

/** A connection that records what it is asked to send; `up` decides whether it is connected. */
function recordingTarget() {
  const sent: Array<{ topic: string; payload: string; retain: boolean; qos: 0 | 1 }> = [];
  const target = {
    up: true as boolean,
    sent,
    async publish(topic: string, payload: string | Buffer, options: { retain: boolean; qos: 0 | 1 }) {
      if (!target.up) return false;
      sent.push({ topic, payload: payload.toString(), ...options });
      return true;
    },
  } satisfies PublishTarget & { up: boolean; sent: unknown[] };
  return target;
}

describe("Publisher", () => {
  it("does not send a payload identical to the last one on the same topic", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    expect(await publisher.publish("b/qemu/100", '{"cpu":1}', { retain: true })).toBe(true);
    expect(await publisher.publish("b/qemu/100", '{"cpu":1}', { retain: true })).toBe(false);
    expect(await publisher.publish("b/qemu/101", '{"cpu":1}', { retain: true })).toBe(true);
    expect(await publisher.publish("b/qemu/100", '{"cpu":2}', { retain: true, qos: 0 })).toBe(true);
    expect(target.sent).toEqual([
      { topic: "b/qemu/100", payload: '{"cpu":1}', retain: true, qos: 1 },
      { topic: "b/qemu/101", payload: '{"cpu":1}', retain: true, qos: 1 },
      { topic: "b/qemu/100", payload: '{"cpu":2}', retain: true, qos: 0 },
    ]);
    expect(publisher.publishedCount).toBe(3);
    expect(publisher.lastPayload("b/qemu/100")).toBe('{"cpu":2}');
    expect(publisher.lastPayload("b/nothing")).toBeUndefined();
  });

  it("sends an identical payload when forced", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    await publisher.publish("t", "x", { retain: true });
    expect(await publisher.publish("t", "x", { retain: true, force: true })).toBe(true);
    expect(target.sent).toHaveLength(2);
    expect(publisher.publishedCount).toBe(2);
  });

  it("clear publishes an empty retained payload and forgets the topic", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    await publisher.publish("t", "x", { retain: true });
    await publisher.clear("t");
    expect(target.sent[1]).toEqual({ topic: "t", payload: "", retain: true, qos: 1 });
    expect(publisher.lastPayload("t")).toBeUndefined();
    expect(await publisher.publish("t", "x", { retain: true })).toBe(true);
    expect(publisher.publishedCount).toBe(3);
  });

  it("forgetAll lets the next publish of every topic go out", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    await publisher.publish("a", "1", { retain: true });
    await publisher.publish("b", "2", { retain: true });
    publisher.forgetAll();
    expect(publisher.lastPayload("a")).toBeUndefined();
    expect(await publisher.publish("a", "1", { retain: true })).toBe(true);
    expect(await publisher.publish("b", "2", { retain: true })).toBe(true);
    expect(target.sent.map((message) => message.topic)).toEqual(["a", "b", "a", "b"]);
  });

  it("does not remember a payload the connection dropped", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    await publisher.publish("t", "old", { retain: true });
    target.up = false;
    expect(await publisher.publish("t", "new", { retain: true })).toBe(false);
    expect(publisher.lastPayload("t")).toBe("old");
    target.up = true;
    expect(await publisher.publish("t", "new", { retain: true })).toBe(true);
    expect(publisher.publishedCount).toBe(2);
  });

  it("sends one message for two identical concurrent publishes", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    const results = await Promise.all([publisher.publish("t", "x", { retain: true }), publisher.publish("t", "x", { retain: true })]);
    expect(results.sort()).toEqual([false, true]);
    expect(target.sent).toHaveLength(1);
  });

  it("works over a real connection: the broker keeps the last retained payload", async () => {
    const log = silentLogger();
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
    const connection = await MqttConnection.connect(connectionOptions(broker.url, log), 5_000);
    try {
      const publisher = new Publisher(connection, log);
      await publisher.publish("pub/x", "1", { retain: true });
      await publisher.publish("pub/x", "1", { retain: true });
      await publisher.publish("pub/y", "2", { retain: true });
      await publisher.clear("pub/y");
      expect(publisher.publishedCount).toBe(3);
      const retained = await connection.readRetained("pub/#", 200);
      expect(Object.fromEntries([...retained].map(([topic, payload]) => [topic, payload.toString()]))).toEqual({ "pub/x": "1" });
    } finally {
      await connection.close();
      await broker.close();
    }
  });
});
