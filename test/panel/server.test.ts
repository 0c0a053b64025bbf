import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { capturingLogger, waitFor } from "../mqtt/helpers.js";
import { BASE, openWs, startPanelRig, type PanelRig, type WsClient } from "./helpers.js";

const TOKEN = "a-long-panel-token-1234";
let rig: PanelRig | null = null;
const clients: WsClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await rig?.stop();
  rig = null;
});

async function ws(options: Parameters<typeof openWs>[1] = {}): Promise<WsClient> {
  const client = await openWs(rig!.http.url, options);
  clients.push(client);
  return client;
}

async function retain(topic: string, payload: string): Promise<void> {
  await rig!.bridge.publishAsync(`${BASE}/${topic}`, payload, { qos: 1, retain: true });
}

const guest = (name: string) => JSON.stringify({ vmid: 100, name, node: "pve1", type: "qemu", status: "running" });
/** A raw client of `/api/ws?batch=1`: every frame as received, and the messages they carry. */
async function batchWs(url: string) {
  const socket = new WebSocket(new URL("/api/ws?batch=1", url.replace(/^http/, "ws")));
  const frames: unknown[] = [];
  socket.on("message", (data) => frames.push(JSON.parse(String(data))));
  await once(socket, "open");
  return {
    frames,
    messages: () => frames.flat() as Array<{ topic: string; payload: unknown }>,
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      await once(socket, "close");
    },
  };
}

const published = (topic: string) => rig!.received.filter((m) => m.topic === `${BASE}/${topic}`);

describe("/api/ws", () => {
  it("replays every retained state, availability and bridge/info on connect, then each change", async () => {
    rig = await startPanelRig();
    await retain("qemu/100", guest("web"));
    await retain("qemu/100/availability", "online");
    await retain("bridge/info", JSON.stringify({ version: "0.1.0", cluster: "homelab" }));
    const client = await ws();
    await client.waitFor((m) => m.topic === "bridge/info", "bridge/info replayed");
    expect(client.messages).toContainEqual({ topic: "qemu/100", payload: JSON.parse(guest("web")) });
    expect(client.messages).toContainEqual({ topic: "qemu/100/availability", payload: "online" });

    // a second browser gets the replay from the panel's copy at once
    const second = await ws();
    expect(second.messages.map((m) => m.topic).sort()).toEqual(["bridge/info", "qemu/100", "qemu/100/availability"]);

    await retain("qemu/100", guest("renamed"));
    const change = await client.waitFor((m) => m.topic === "qemu/100" && (m.payload as { name: string }).name === "renamed", "the live change");
    expect(change.payload).toMatchObject({ vmid: 100, name: "renamed" });
    await second.waitFor((m) => m.topic === "qemu/100" && (m.payload as { name: string }).name === "renamed", "the change on the second browser");
  });

  it("with ?batch=1 sends the same messages, those of one turn in one frame (a JSON array)", async () => {
    rig = await startPanelRig();
    await retain("qemu/100", guest("web"));
    await retain("qemu/100/availability", "online");
    await retain("bridge/info", JSON.stringify({ version: "0.1.0" }));
    const first = await batchWs(rig.http.url);
    let second: Awaited<ReturnType<typeof batchWs>> | null = null;
    try {
      await waitFor(() => first.messages().length === 3, "the first replay");
      const other = await batchWs(rig.http.url);
      second = other;
      await waitFor(() => other.messages().length === 3, "the second replay");
      expect(first.messages()).toContainEqual({ topic: "qemu/100", payload: JSON.parse(guest("web")) });
      expect(first.messages()).toContainEqual({ topic: "qemu/100/availability", payload: "online" });
      // the second browser's replay comes from the panel's copy, all at once: one frame
      expect(other.frames).toHaveLength(1);
      expect(other.messages()).toEqual(expect.arrayContaining(first.messages()));

      await Promise.all([retain("qemu/100", guest("renamed")), retain("qemu/100/availability", "offline")]);
      await waitFor(() => other.messages().some((m) => m.topic === "qemu/100/availability" && m.payload === "offline"), "the changes");
      expect(other.messages()).toContainEqual({ topic: "qemu/100", payload: JSON.parse(guest("renamed")) });
      for (const frame of [...first.frames, ...other.frames]) expect(Array.isArray(frame)).toBe(true);
    } finally {
      await first.close();
      await second?.close();
    }
  });

  it("publishes a command on B/<device>/set (not retained) and forwards the bridge's result; /api/events lists it", async () => {
    rig = await startPanelRig();
    await retain("qemu/100", guest("web"));
    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100", "the replay");
    client.send({ topic: "qemu/100/set", payload: { action: "stop", id: "p-1" } });
    await waitFor(() => published("qemu/100/set").length === 1, "the command on MQTT");
    const [command] = published("qemu/100/set");
    expect(JSON.parse(command!.payload)).toEqual({ action: "stop", id: "p-1" });
    expect(command!.retain).toBe(false);

    client.send({ topic: "qemu/100/set", payload: "start" });
    await waitFor(() => published("qemu/100/set").length === 2, "the bare action word on MQTT");
    expect(published("qemu/100/set")[1]!.payload).toBe("start");

    const result = { id: "p-1", action: "stop", status: "ok", upid: "UPID:pve1:1", exitstatus: "OK", error: null, duration: 1.2 };
    await rig.bridge.publishAsync(`${BASE}/qemu/100/result`, JSON.stringify(result), { qos: 1 });
    await client.waitFor((m) => m.topic === "qemu/100/result", "the result");
    expect(client.messages.find((m) => m.topic === "qemu/100/result")!.payload).toEqual(result);
    const events = (await (await fetch(`${rig.http.url}/api/events`)).json()) as Array<{ topic: string; payload: unknown; time: string }>;
    expect(events[0]).toMatchObject({ topic: "qemu/100/result", payload: result });
  });

  it("answers hostile and malformed messages with an error and publishes nothing", async () => {
    rig = await startPanelRig();
    await retain("qemu/100", guest("web"));
    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100", "the replay");
    const errors = () => client.messages.filter((m) => m.topic === "error").map((m) => (m.payload as { error: string }).error);
    const cases: Array<[unknown, RegExp]> = [
      ["{not json", /malformed JSON/],
      [{ topic: "qemu/100/set" }, /invalid payload/],
      [{ topic: "qemu/100/set", payload: 5 }, /invalid payload/],
      [{ topic: "qemu/100/set", payload: "start", extra: 1 }, /invalid message/],
      [{ topic: "homeassistant/status", payload: "online" }, /unknown topic 'homeassistant\/status'/],
      [{ topic: "qemu/100/result", payload: "x" }, /unknown topic/],
      [{ topic: "qemu/101/set", payload: "start" }, /unknown device 'qemu\/101'/],
      [{ topic: "qemu/100/set", payload: "x".repeat(20_000) }, /too large/],
      [{ topic: "qemu/100/set/../../bridge/set", payload: "x" }, /unknown topic/],
    ];
    for (const [message, expected] of cases) {
      const before = errors().length;
      client.send(message);
      await waitFor(() => errors().length > before, `an error for ${JSON.stringify(message).slice(0, 60)}`);
      expect(errors().at(-1)).toMatch(expected);
    }
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    await waitFor(() => errors().some((e) => /binary/.test(e)), "an error for a binary frame");
    expect(published("qemu/100/set")).toEqual([]);
    expect(rig.received.filter((m) => m.topic.endsWith("/set"))).toEqual([]);

    // a frame over the WebSocket's hard limit closes that connection; the panel serves the next one
    const big = await ws();
    big.socket.send("x".repeat(1024 * 1024 + 10));
    expect((await big.closed).code).toBe(1009);
    const after = await ws();
    await after.waitFor((m) => m.topic === "qemu/100", "a replay after the oversized frame");
  });

  it("refuses a flood of commands beyond the burst with an error", async () => {
    rig = await startPanelRig();
    await retain("qemu/100", guest("web"));
    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100", "the replay");
    for (let i = 0; i < 40; i++) client.send({ topic: "qemu/100/set", payload: { action: "start", id: `f-${i}` } });
    await waitFor(() => client.messages.filter((m) => m.topic === "error").length >= 25, "errors for the flood");
    expect((client.messages.find((m) => m.topic === "error")!.payload as { error: string }).error).toMatch(/too many commands/);
    await waitFor(() => published("qemu/100/set").length >= 10, "the burst published");
    expect(published("qemu/100/set").length).toBeLessThanOrEqual(12);
  });

  it("subscribes to B/# only while a browser is connected; results are followed always", async () => {
    rig = await startPanelRig();
    expect(rig.panel.mirror.subscribedToAll).toBe(false);
    await retain("qemu/100", guest("web"));
    await rig.bridge.publishAsync(`${BASE}/qemu/100/result`, JSON.stringify({ id: null, action: "refresh", status: "ok" }), { qos: 1 });
    await waitFor(() => rig!.panel.mirror.events().length === 1, "the result followed without a browser");
    expect(rig.panel.mirror.has("qemu/100")).toBe(false); // states are not followed: nothing to do per poll

    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100", "the replay");
    expect(rig.panel.mirror.subscribedToAll).toBe(true);
    await client.close();
    await waitFor(() => !rig!.panel.mirror.subscribedToAll, "B/# unsubscribed after the last browser left");
    await retain("qemu/100", guest("unseen"));
    await rig.bridge.publishAsync(`${BASE}/qemu/100/result`, JSON.stringify({ id: null, action: "refresh", status: "error", error: "x" }), { qos: 1 });
    await waitFor(() => rig!.panel.mirror.events().length === 2, "results still followed");
    expect(rig.panel.mirror.has("qemu/100")).toBe(false);
  });
});

describe("http.token", () => {
  it("closes a WebSocket without the right token with 4401 and answers /api/* with 401; /health and /metrics stay open", async () => {
    rig = await startPanelRig({ token: TOKEN });
    await retain("qemu/100", guest("web"));
    for (const options of [{}, { token: "wrong-token-wrong-token" }, { headers: { authorization: "Bearer nope" } }]) {
      const client = await ws(options);
      expect((await client.closed).code).toBe(4401);
      expect(client.messages).toEqual([]);
    }
    expect((await fetch(`${rig.http.url}/api/meta`)).status).toBe(401);
    expect((await fetch(`${rig.http.url}/api/events`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${rig.http.url}/api/privileges?token=wrong`)).status).toBe(401);
    expect((await fetch(`${rig.http.url}/api/meta`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${rig.http.url}/api/meta?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`${rig.http.url}/health`)).status).not.toBe(401);
    expect((await fetch(`${rig.http.url}/metrics`)).status).toBe(200);

    const byQuery = await ws({ token: TOKEN });
    await byQuery.waitFor((m) => m.topic === "qemu/100", "the replay with ?token=");
    const byHeader = await ws({ headers: { authorization: `Bearer ${TOKEN}` } });
    await byHeader.waitFor((m) => m.topic === "qemu/100", "the replay with a Bearer header");
  });

  it("on a host beyond loopback without a token the panel is read-only: commands refused, a warning logged", async () => {
    const { log, lines } = capturingLogger();
    rig = await startPanelRig({ host: "0.0.0.0" }, log);
    expect(lines.some((line) => line.level === 40 && /read-only panel/.test(String(line.msg)))).toBe(true);
    await retain("qemu/100", guest("web"));
    const meta = (await (await fetch(`${rig.http.url}/api/meta`)).json()) as { actions: { read_only: boolean; read_only_reason: string } };
    expect(meta.actions.read_only).toBe(true);
    expect(meta.actions.read_only_reason).toMatch(/http\.token/);
    const client = await ws();
    await client.waitFor((m) => m.topic === "qemu/100", "the replay (reading stays possible)");
    client.send({ topic: "qemu/100/set", payload: { action: "stop", id: "ro-1" } });
    const refusal = await client.waitFor((m) => m.topic === "error", "the refusal");
    expect(refusal.payload).toMatchObject({ request: "qemu/100/set", id: "ro-1" });
    expect((refusal.payload as { error: string }).error).toMatch(/read-only panel.*set http\.token/);
    expect(published("qemu/100/set")).toEqual([]);
    // the token itself is never logged
    const withToken = capturingLogger();
    const other = await startPanelRig({ host: "0.0.0.0", token: TOKEN }, withToken.log);
    await other.stop();
    expect(JSON.stringify(withToken.lines)).not.toContain(TOKEN);
    expect(withToken.lines.some((line) => /read-only/.test(String(line.msg)))).toBe(false);
  });
});

describe("GET /api/meta and /api/privileges", () => {
  it("gives the texts of the configured language, the allowed actions and the columns", async () => {
    rig = await startPanelRig({ language: "fr" });
    const meta = (await (await fetch(`${rig.http.url}/api/meta`)).json()) as {
      language: string;
      texts: Record<string, string>;
      actions: { read_only: boolean; allow: string[]; node_power: boolean };
      columns: Array<{ kind: string; field: string }>;
    };
    expect(meta.language).toBe("fr");
    expect(meta.texts["panel.events"]).toBe("Événements");
    expect(meta.texts["guest.memory_used"]).toBe("Mémoire utilisée");
    expect(meta.actions).toMatchObject({ read_only: false, node_power: false, allow: expect.arrayContaining(["start", "snapshot"]) });
    const guestFields = meta.columns.filter((c) => c.kind === "guest").map((c) => c.field);
    expect(guestFields).toEqual(expect.arrayContaining(["type", "vmid", "name", "status", "cpu", "memory_used", "ip", "uptime", "snapshots", "last_backup", "last_backup_status", "backup_progress"]));
  });

  it("gives the privilege report with the pveum line for what is missing", async () => {
    rig = await startPanelRig();
    const report = (await (await fetch(`${rig.http.url}/api/privileges`)).json()) as { features: Array<{ feature: string; ok: boolean }>; fix: string };
    expect(report.features.map((f) => f.ok)).toEqual([true, false, false]);
    expect(report.fix).toBe('pveum role modify PVE2MQTT --append 1 --privs "VM.Monitor VM.Backup"');
  });

  it("serves the client's index page with a same-origin-only policy", async () => {
    rig = await startPanelRig();
    const response = await fetch(`${rig.http.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await response.text()).toContain('<script type="module" src="app.js">');
    expect((await fetch(`${rig.http.url}/nope.js`)).status).toBe(404);
    expect((await fetch(`${rig.http.url}/`, { method: "POST" })).status).toBe(405);
  });
});
