import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { MqttConnection } from "../../src/mqtt/connection.js";
import { startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { Publisher } from "../../src/mqtt/publisher.js";
import { connectionOptions } from "./helpers.js";

describe("Publisher.onSent", () => {
  it("tells each listener of every message handed to the connection, not of a dropped one, until removed", async () => {
    const log = silentLogger();
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log });
    const connection = await MqttConnection.connect(connectionOptions(broker.url, log), 5_000);
    try {
      const publisher = new Publisher(connection, log);
      const seen: Array<[string, string]> = [];
      const remove = publisher.onSent((topic, payload) => seen.push([topic, payload]));
      await publisher.publish("sent/a", '{"x":1}', { retain: true });
      expect(publisher.publishUnconfirmed("sent/b", "online", true)).toBe(true);
      await publisher.clear("sent/a");
      expect(seen).toEqual([
        ["sent/a", '{"x":1}'],
        ["sent/b", "online"],
        ["sent/a", ""],
      ]);
      remove();
      await publisher.publish("sent/c", "1", { retain: false });
      expect(seen).toHaveLength(3);

      publisher.onSent((topic, payload) => seen.push([topic, payload]));
      await connection.close();
      expect(publisher.publishUnconfirmed("sent/d", "x", false)).toBe(false);
      expect(await publisher.publish("sent/e", "x", { retain: false })).toBe(false);
      expect(seen).toHaveLength(3);
    } finally {
      await connection.close();
      await broker.close();
    }
  });
});
