import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_BIRTH_DELAY_MS, Observer, startHarness, sleep, type Harness } from "../e2e/harness.js";
import { storyLines } from "./helpers.js";

type Result = { id: unknown; status: string };

describe("the broker restarts (mosquitto, no persistence: every retained message is lost)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ broker: "mosquitto", captureLogs: true, sim: { taskDurationMs: 100 } });
  });
  afterAll(async () => {
    await h?.stop();
  });

  /**
   * What a new subscriber gets retained. mosquitto queues a subscription's retained messages before
   * it reads the subscriber's next packet, so a marker published after the SUBACK arrives after them.
   */
  async function retainedSnapshot(): Promise<Map<string, string>> {
    const marker = `test/snapshot-end/${Math.random().toString(16).slice(2)}`;
    const fresh = await Observer.connect(h.brokerUrl, [`${h.base}/#`, "homeassistant/#", marker]);
    await fresh.publish(marker, "end");
    await fresh.waitFor(marker);
    await fresh.close();
    return new Map(fresh.messages.filter((m) => m.retain).map((m) => [m.topic, m.payload]));
  }

  it("reconnects, is online again, re-publishes retained states and discovery; commands work after", async () => {
    const before = await retainedSnapshot();
    expect(before.get(`${h.base}/bridge/state`)).toBe("online");
    const discoveryBefore = [...before.keys()].filter((t) => t.startsWith("homeassistant/"));
    expect(discoveryBefore.length).toBeGreaterThan(50);
    const logsBefore = h.logs.length;

    await h.restartBroker!();
    // Nothing retained survived the restart until the bridge publishes again.
    const deadline = Date.now() + 10_000;
    let after = await retainedSnapshot();
    while (after.get(`${h.base}/bridge/state`) !== "online" || after.size < before.size) {
      if (Date.now() > deadline) break;
      await sleep(200);
      after = await retainedSnapshot();
    }
    expect(after.get(`${h.base}/bridge/state`)).toBe("online");
    for (const topic of discoveryBefore) expect(after.has(topic), `${topic} re-published`).toBe(true);
    for (const topic of before.keys()) expect(after.has(topic), `${topic} re-published`).toBe(true);
    expect(after.get(`${h.base}/qemu/100/availability`)).toBe("online");
    expect(JSON.parse(after.get(`${h.base}/qemu/100`)!)).toMatchObject({ vmid: 100 });

    const lines = storyLines(h, logsBefore).map((l) => l.msg);
    expect(lines.filter((m) => /lost the connection to the MQTT broker/.test(m))).toHaveLength(1);
    expect(lines.some((m) => /reconnected/.test(m))).toBe(true);

    // The /set subscription is back: a command after the reconnect runs.
    const since = h.observer.messages.length;
    await h.observer.publish(`${h.base}/qemu/101/set`, '{"action":"snapshot","name":"after_restart","id":"r"}');
    const result = await h.observer.waitForJson<Result>(`${h.base}/qemu/101/result`, (r) => r.id === "r" && r.status !== "started", 10_000, since);
    expect(result.status).toBe("ok");
    expect(h.sim.guest(101)!.snapshots).toContain("after_restart");
  });

  it("Home Assistant restarts (birth message): discovery, availability and states are re-published", async () => {
    const discoveryTopics = h.observer.topics("homeassistant/").filter((t) => t.endsWith("/config"));
    const since = h.observer.messages.length;
    await h.observer.publish("homeassistant/status", "online");
    for (const topic of discoveryTopics.slice(0, 20)) await h.observer.waitFor(topic, () => true, 5000, since);
    await h.observer.waitFor(`${h.base}/qemu/100/availability`, (p) => p === "online", 5000, since);
    await h.observer.waitFor(`${h.base}/qemu/100`, () => true, 5000, since);
    // The re-publish has sent its discovery: every config still retained came again.
    const stillRetained = discoveryTopics.filter((t) => h.observer.last(t) !== "");
    for (const topic of stillRetained) await h.observer.waitFor(topic, () => true, 5000, since);
    // "offline" from Home Assistant (its will) triggers nothing.
    const quiet = h.observer.messages.length;
    await h.observer.publish("homeassistant/status", "offline");
    await h.observer.waitFor("homeassistant/status", (p) => p === "offline", 5000, quiet);
    const offlineAt = h.observer.messages.slice(quiet).find((m) => m.topic === "homeassistant/status")!.at;
    // A re-publish begins at most the birth delay after the message, before a poll that began later ended.
    await h.observer.waitForPolls(h.base, { after: offlineAt + HARNESS_BIRTH_DELAY_MS });
    expect(h.observer.messages.slice(quiet).filter((m) => m.topic.endsWith("/config"))).toEqual([]);
  });
});
