import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../mqtt/helpers.js";
import { startFollowRig, type FollowRig } from "./follow-rig.js";
import { BASE, openWs, type WsClient } from "./helpers.js";

let rig: FollowRig | null = null;
const clients: WsClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await rig?.stop();
  rig = null;
});

/** A WebSocket client that completes its handshake and then reads nothing, as a page the browser froze. */
async function frozenClient(httpUrl: string): Promise<Socket> {
  const { hostname, port } = new URL(httpUrl);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  const key = randomBytes(16).toString("base64");
  socket.write(`GET /api/ws HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const [answer] = (await once(socket, "data")) as [Buffer];
  expect(answer.toString("latin1")).toMatch(/^HTTP\/1\.1 101 /);
  socket.pause();
  return socket;
}

async function ws(): Promise<WsClient> {
  const client = await openWs(rig!.http.url);
  clients.push(client);
  return client;
}

const guest = (name: string) => JSON.stringify({ vmid: 100, name, node: "pve1", type: "qemu", status: "running" });
const ALL = `${BASE}/#`;
/** States, availability and bridge info the broker sent to the panel's client (results, events and bridge/state apart). */
const statesToPanel = (r: FollowRig) => r.toPanel.filter((m) => !/\/result$|\/bridge\/(event|state)$/.test(m.topic));
const named = (client: WsClient, topic: string) =>
  client.messages.filter((m) => m.topic === topic).map((m) => (typeof m.payload === "object" && m.payload !== null ? (m.payload as { name: string }).name : m.payload));

describe("the mirror following the bridge's publisher", () => {
  it("replays the broker's retained states once through B/#, then gets each change from the publisher, the broker forwarding it none", async () => {
    rig = await startFollowRig();
    const { publisher, panel } = rig;
    await publisher.publish(`${BASE}/qemu/100`, guest("web"), { retain: true });
    await publisher.publish(`${BASE}/qemu/100/availability`, "online", { retain: true });
    await publisher.publish(`${BASE}/bridge/state`, "online", { retain: true });
    expect(panel.mirror.subscribedToAll).toBe(false);
    expect(rig.panelFilters.filter((f) => f.topic === ALL)).toEqual([]);

    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100/availability", "the replay from the broker");
    // the broker sees the unsubscription before the mirror has its acknowledgement: wait for both
    await waitFor(() => rig!.panelFilters.some((f) => f.op === "unsubscribe" && f.topic === ALL) && !panel.mirror.subscribedToAll, "B/# dropped once the replay is over");
    expect(client.messages).toContainEqual({ topic: "qemu/100", payload: JSON.parse(guest("web")) });
    expect(client.messages).toContainEqual({ topic: "qemu/100/availability", payload: "online" });
    // what the broker saw: B/# subscribed once for the replay, then unsubscribed, while the browser stays
    expect(rig.panelFilters.filter((f) => f.topic === ALL)).toEqual([
      { op: "subscribe", topic: ALL },
      { op: "unsubscribe", topic: ALL },
    ]);
    expect(statesToPanel(rig).map((m) => [m.topic, m.retain])).toEqual([
      [`${BASE}/qemu/100`, true],
      [`${BASE}/qemu/100/availability`, true],
    ]);

    // the bridge publishes as in a poll: QoS 0 states, QoS 1 availability
    const before = rig.toPanel.length;
    expect(publisher.publishUnconfirmed(`${BASE}/qemu/100`, guest("renamed"), true)).toBe(true);
    await publisher.publish(`${BASE}/qemu/100/availability`, "offline", { retain: true });
    await client.waitFor((m) => m.topic === "qemu/100/availability" && m.payload === "offline", "the availability change");
    expect(client.messages).toContainEqual({ topic: "qemu/100", payload: JSON.parse(guest("renamed")) });
    await waitFor(() => rig!.observed.some((m) => m.topic === `${BASE}/qemu/100` && m.payload === guest("renamed")), "the change through the broker to another subscriber");
    await waitFor(() => rig!.observed.some((m) => m.topic === `${BASE}/qemu/100/availability` && m.payload === "offline"), "the availability to another subscriber");
    expect(rig.toPanel.slice(before)).toEqual([]);

    // a second browser gets the panel's copy, with the publisher's latest values
    const second = await ws();
    expect(named(second, "qemu/100")).toEqual(["renamed"]);
    expect(named(second, "qemu/100/availability")).toEqual(["offline"]);

    // results still come through the broker, once each, and the Events view lists them
    const result = { id: "p-1", action: "stop", status: "ok", upid: "UPID:pve1:1", exitstatus: "OK", error: null, duration: 1.2 };
    await publisher.publish(`${BASE}/qemu/100/result`, JSON.stringify(result), { retain: false });
    await client.waitFor((m) => m.topic === "qemu/100/result", "the result");
    expect(rig.toPanel.map((m) => m.topic)).toContain(`${BASE}/qemu/100/result`);
    expect(panel.mirror.events()).toMatchObject([{ topic: "qemu/100/result", payload: result }]);
    // and bridge/state, where the broker publishes the bridge's will
    await rig.observer.publishAsync(`${BASE}/bridge/state`, "offline", { qos: 1, retain: true });
    await client.waitFor((m) => m.topic === "bridge/state" && m.payload === "offline", "the will on bridge/state");
    expect(client.messages.filter((m) => m.topic === "qemu/100/result")).toHaveLength(1);

    // a cleared topic is gone from the next replay
    await publisher.clear(`${BASE}/qemu/100/availability`);
    await client.waitFor((m) => m.topic === "qemu/100/availability" && m.payload === "", "the clear");
    const third = await ws();
    expect(third.messages.map((m) => m.topic)).not.toContain("qemu/100/availability");
    expect(third.messages.map((m) => m.topic)).toContain("qemu/100");
  });

  it("drops a replayed message for a topic the publisher sent since: the live one is newer", async () => {
    rig = await startFollowRig();
    const { publisher, panel } = rig;
    await publisher.publish(`${BASE}/qemu/100`, guest("old"), { retain: true });
    await publisher.publish(`${BASE}/qemu/101`, guest("untouched"), { retain: true });
    // The race, made certain: just as the broker takes the panel's B/# (and will replay "old"), the
    // bridge sends "new"; the broker handles that publish only once the replay is over.
    let held: (() => void) | null = null;
    rig.hooks.subscribe = (client, subscription) => {
      if (client.id.startsWith("pve2mqtt_panel_") && subscription.topic === `${BASE}/#`) publisher.publishUnconfirmed(`${BASE}/qemu/100`, guest("new"), true);
    };
    rig.hooks.publish = (packet, release) => {
      if (packet.topic !== `${BASE}/qemu/100` || packet.payload.toString() !== guest("new")) return true;
      held = release;
      return false;
    };
    try {
      const client = await ws();
      await client.waitFor((m) => m.topic === "qemu/101", "the replay");
      await waitFor(() => !panel.mirror.subscribedToAll, "the replay over");
      // the broker did replay the stale copy to the panel...
      expect(rig.toPanel).toContainEqual({ topic: `${BASE}/qemu/100`, payload: guest("old"), retain: true });
      expect(held).not.toBeNull();
      // ...and the browser never saw it: only the publisher's
      expect(named(client, "qemu/100")).toEqual(["new"]);
      expect(named(client, "qemu/101")).toEqual(["untouched"]);
      const second = await ws();
      expect(named(second, "qemu/100")).toEqual(["new"]);
    } finally {
      (held as (() => void) | null)?.();
    }
  });

  it("switches a browser connected before the publisher was known from B/# to the publisher, with nothing missed", async () => {
    rig = await startFollowRig({ follow: false });
    const { publisher, panel } = rig;
    await publisher.publish(`${BASE}/qemu/100`, guest("web"), { retain: true });
    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100", "the replay");
    expect(panel.mirror.subscribedToAll).toBe(true);
    panel.follow(publisher);
    await waitFor(() => !panel.mirror.subscribedToAll, "B/# dropped once the publisher is followed");
    const before = rig.toPanel.length;
    publisher.publishUnconfirmed(`${BASE}/qemu/100`, guest("after"), true);
    await client.waitFor((m) => m.topic === "qemu/100" && (m.payload as { name: string }).name === "after", "the change from the publisher");
    await waitFor(() => rig!.observed.some((m) => m.payload === guest("after")), "the change through the broker");
    expect(rig.toPanel.slice(before)).toEqual([]);
  });

  it("drops a client that stops reading (a page the browser froze): nothing more is queued for it", async () => {
    rig = await startFollowRig();
    const { publisher, panel } = rig;
    const frozen = await frozenClient(rig.http.url);
    try {
      await waitFor(() => panel.mirror.listening === 1, "the client following");
      const payload = JSON.stringify({ filler: "x".repeat(1000) });
      // ~4 MB fit in the kernel's buffers, then 8 MB are queued for it: 20 MB is more than enough
      for (let i = 0; i < 20_000 && panel.mirror.listening > 0; i++) {
        if (!publisher.hasRoom) await publisher.ready();
        publisher.publishUnconfirmed(`${BASE}/qemu/${100 + (i % 50)}`, payload, true);
        if (i % 200 === 0) await new Promise(setImmediate);
      }
      await waitFor(() => panel.mirror.listening === 0, "the frozen client dropped");
    } finally {
      frozen.destroy();
    }
  });

  it("costs nothing without a browser: nothing kept, nothing forwarded to the panel", async () => {
    rig = await startFollowRig();
    const { publisher, panel } = rig;
    const client = await ws();
    await waitFor(() => rig!.panelFilters.some((f) => f.op === "unsubscribe" && f.topic === ALL), "the first browser's replay over");
    await client.close();
    await waitFor(() => panel.mirror.listening === 0, "the browser gone");
    const before = rig.toPanel.length;
    publisher.publishUnconfirmed(`${BASE}/qemu/100`, guest("unseen"), true);
    await waitFor(() => rig!.observed.some((m) => m.payload === guest("unseen")), "the state through the broker");
    expect(panel.mirror.has("qemu/100")).toBe(false);
    expect(rig.toPanel.slice(before)).toEqual([]);
  });
});
