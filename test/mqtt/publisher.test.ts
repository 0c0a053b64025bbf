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
    writable: true as boolean,
    async publish(topic: string, payload: string | Buffer, options: { retain: boolean; qos: 0 | 1 }) {
      if (!target.up) return false;
      sent.push({ topic, payload: payload.toString(), ...options });
      return true;
    },
    publishUnconfirmed(topic: string, payload: string, retain: boolean) {
      if (!target.up) return false;
      sent.push({ topic, payload, retain, qos: 0 });
      return true;
    },
    drained: async () => undefined,
  } satisfies PublishTarget & { up: boolean; sent: unknown[] };
  return target;
}

/** A connection whose QoS 1 acknowledgements are held: `releases` acknowledges them one by one. */
function heldTarget(): { target: PublishTarget; releases: Array<() => void> } {
  const releases: Array<() => void> = [];
  const target: PublishTarget = {
    ...recordingTarget(),
    publish: () => new Promise<boolean>((resolve) => releases.push(() => resolve(true))),
  };
  return { target, releases };
}

describe("Publisher", () => {
  it("keeps at most maxInFlight messages in flight: ready() waits for room", async () => {
    const { target, releases } = heldTarget();
    const publisher = new Publisher(target, silentLogger(), 2);
    const first = publisher.publish("a", "1", { retain: true });
    const second = publisher.publish("b", "2", { retain: true });
    let ready = false;
    const waiting = publisher.ready().then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    releases.shift()!();
    await waiting;
    expect(ready).toBe(true);
    releases.shift()!();
    expect(await Promise.all([first, second])).toEqual([true, true]);
  });

  it("lets waiting messages go in batches once half the slots are free, so they leave together", async () => {
    const { target, releases } = heldTarget();
    const publisher = new Publisher(target, silentLogger(), 4);
    for (let i = 0; i < 8; i++) void publisher.publish(`t${i}`, "x", { retain: true });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    await turn();
    expect(releases).toHaveLength(4);
    releases.shift()!();
    await turn();
    // 3 in flight: more than half the slots taken, nobody let go yet
    expect(releases).toHaveLength(3);
    releases.shift()!();
    await turn();
    // 2 in flight: half free, the next two go together
    expect(releases).toHaveLength(4);
    while (releases.length > 0) {
      releases.shift()!();
      await turn();
    }
    await publisher.settled();
  });

  it("settled() waits for every message handed over, those still waiting for room included", async () => {
    const { target, releases } = heldTarget();
    const publisher = new Publisher(target, silentLogger(), 1);
    void publisher.publish("a", "1", { retain: true });
    void publisher.publish("b", "2", { retain: true });
    let settled = false;
    const waiting = publisher.settled().then(() => (settled = true));
    // "a" in flight, "b" waiting for room: releasing "a" lets "b" go, which is not settled yet
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(releases).toHaveLength(1);
    expect(settled).toBe(false);
    releases.shift()!();
    await waiting;
    expect(settled).toBe(true);
    // nothing handed over: settled at once
    await publisher.settled();
  });

  it("ready() also waits while the socket asks for a drain, then lets the next message go", async () => {
    const target = recordingTarget();
    let drain: () => void = () => undefined;
    target.writable = false;
    const publisher = new Publisher({ ...target, get writable() { return target.writable; }, drained: () => new Promise<void>((resolve) => (drain = resolve)) }, silentLogger());
    expect(publisher.hasRoom).toBe(false);
    let ready = false;
    const waiting = publisher.ready().then(() => (ready = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    target.writable = true;
    drain();
    await waiting;
    expect(publisher.hasRoom).toBe(true);
  });

  it("publishUnconfirmed sends at QoS 0 every time and counts it; a dropped message is not counted", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    await publisher.publish("t", "x", { retain: true });
    expect(publisher.publishUnconfirmed("t", "x", true)).toBe(true);
    expect(publisher.publishUnconfirmed("t", "x", true)).toBe(true);
    expect(target.sent.slice(1)).toEqual([
      { topic: "t", payload: "x", retain: true, qos: 0 },
      { topic: "t", payload: "x", retain: true, qos: 0 },
    ]);
    expect(publisher.publishedCount).toBe(3);
    target.up = false;
    expect(publisher.publishUnconfirmed("t", "y", true)).toBe(false);
    expect(await publisher.publish("t", "y", { retain: true })).toBe(false);
    expect(publisher.publishedCount).toBe(3);
  });

  it("sends what it is given: deciding whether a message goes out is the caller's", async () => {
    const target = recordingTarget();
    const publisher = new Publisher(target, silentLogger());
    expect(await publisher.publish("t", "x", { retain: true })).toBe(true);
    expect(await publisher.publish("t", "x", { retain: true, qos: 0 })).toBe(true);
    await publisher.clear("t");
    expect(target.sent).toEqual([
      { topic: "t", payload: "x", retain: true, qos: 1 },
      { topic: "t", payload: "x", retain: true, qos: 0 },
      { topic: "t", payload: "", retain: true, qos: 1 },
    ]);
  });

  it("works over a real connection: the broker keeps the last retained payload", async () => {
    const log = silentLogger();
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
    const connection = await MqttConnection.connect(connectionOptions(broker.url, log), 5_000);
    try {
      const publisher = new Publisher(connection, log);
      await publisher.publish("pub/x", "1", { retain: true });
      expect(publisher.publishedCount).toBe(1);
      await publisher.publish("pub/y", "2", { retain: true });
      await publisher.clear("pub/y");
      // thousands of unconfirmed messages: more than the socket buffers, so back-pressure is exercised
      const big = "s".repeat(2000);
      for (let i = 0; i < 2000; i++) {
        if (!publisher.hasRoom) await publisher.ready();
        publisher.publishUnconfirmed(`pub/many/${i}`, `${i}:${big}`, true);
      }
      await publisher.flushed();
      expect(publisher.publishedCount).toBe(2003);
      const many = await connection.readRetained("pub/many/#", 300);
      expect(many.size).toBe(2000);
      expect(many.get("pub/many/1999")?.toString()).toBe(`1999:${big}`);
      await Promise.all([...many.keys()].map((topic) => publisher.clear(topic)));
      expect(publisher.publishedCount).toBe(4003);
      const retained = await connection.readRetained("pub/#", 200);
      expect(Object.fromEntries([...retained].map(([topic, payload]) => [topic, payload.toString()]))).toEqual({ "pub/x": "1" });
    } finally {
      await connection.close();
      await broker.close();
    }
  });
});
