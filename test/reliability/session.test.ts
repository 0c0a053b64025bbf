import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Observer, SIM_PASSWORD, SIM_USER, startHarness, sleep, type Harness } from "../e2e/harness.js";
import { infos, logLines, waitInfo, WARN } from "./helpers.js";

const MQTT_USER = "bridge-user";
const MQTT_PASSWORD = "mqtt-Pa55word-that-must-not-leak";
const WRONG_PASSWORD = "wrong-password-also-secret";

type Result = { id: unknown; status: string; error?: string | null };

/**
 * One full session at trace level: login, ticket expiry (2 s tickets), revocation, commands (writes
 * with CSRF), a failing login. Then every log line and every MQTT payload is searched for secrets.
 */
describe("PVE session over a day, compressed", () => {
  let h: Harness;
  let all: Observer;

  beforeAll(async () => {
    h = await startHarness({
      broker: "embedded-by-bridge",
      sim: { ticketLifetimeSec: 2, taskDurationMs: 100 },
      config: { embedded_broker: { username: MQTT_USER, password: MQTT_PASSWORD } },
      captureLogs: true,
      logLevel: "trace",
    });
    all = await Observer.connect(h.brokerUrl, ["#"], { username: MQTT_USER, password: MQTT_PASSWORD });
  });
  afterAll(async () => {
    await all?.close();
    await h?.stop();
  });

  it("an expired ticket (401): logs in again, every cycle completes, no error surfaced", async () => {
    const since = h.observer.messages.length;
    const logsBefore = h.logs.length;
    const loginsBefore = h.sim.loginCount;
    // 2 s tickets: wait for a refused one, then for two more complete cycles.
    const deadline = Date.now() + 6000;
    while (!h.sim.requests.some((r) => r.status === 401) && Date.now() < deadline) await sleep(50);
    expect(h.sim.requests.some((r) => r.status === 401)).toBe(true);
    const polled = Date.now();
    await h.bridge.pollNow();
    await h.bridge.pollNow();
    await h.observer.waitForPolls(h.base, { count: 2, after: polled });
    expect(h.sim.loginCount).toBeGreaterThan(loginsBefore);
    const seen = infos(h, since);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const info of seen) {
      expect(info.last_poll_result).toBe("ok");
      expect(info.consecutive_failures).toBe(0);
    }
    expect(logLines(h, logsBefore).filter((l) => l.level >= WARN)).toEqual([]);
  });

  it("revoked tickets (401): logs in again, the cycle and the command complete", async () => {
    const since = h.observer.messages.length;
    const logsBefore = h.logs.length;
    const loginsBefore = h.sim.loginCount;
    h.sim.revokeTickets();
    await h.observer.publish(`${h.base}/qemu/100/set`, '{"action":"snapshot","name":"after_revoke","id":"s1"}');
    const result = await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.status !== "started", 10_000, since);
    expect(result).toMatchObject({ id: "s1", status: "ok" });
    expect(h.sim.guest(100)!.snapshots).toContain("after_revoke");
    expect(h.sim.loginCount).toBeGreaterThan(loginsBefore);
    await waitInfo(h, () => true, h.observer.messages.length);
    for (const info of infos(h, since)) expect(info.last_poll_result).toBe("ok");
    expect(logLines(h, logsBefore).filter((l) => l.level >= WARN)).toEqual([]);
    // Every write carried a CSRF token.
    expect(h.sim.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket" && r.status === 200).every((r) => r.csrf)).toBe(true);
  });

  it("a failing login is reported without the password; the bridge recovers when the password works again", async () => {
    const since = h.observer.messages.length;
    h.sim.users[SIM_USER] = WRONG_PASSWORD;
    h.sim.revokeTickets();
    const failed = await waitInfo(h, (i) => i.last_poll_result === "error", since);
    expect(failed.last_error).toMatch(/login|authentication|password|credentials/i);
    await h.observer.publish(`${h.base}/qemu/101/set`, '{"action":"stop","id":"while-refused"}');
    const refused = await h.observer.waitForJson<Result>(`${h.base}/qemu/101/result`, (r) => r.id === "while-refused", 10_000, since);
    expect(refused.status).toBe("error");
    h.sim.users[SIM_USER] = SIM_PASSWORD;
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    await h.observer.publish(`${h.base}/qemu/101/set`, '{"action":"start","id":"after"}');
    await h.observer.waitForJson<Result>(`${h.base}/qemu/101/result`, (r) => r.id === "after" && r.status !== "started", 10_000, since);
  });

  it("no password, ticket, CSRF token or MQTT password appears in any log line or any MQTT payload", async () => {
    const refreshSince = all.messages.length;
    await h.observer.publish(`${h.base}/bridge/request/refresh`, "now");
    // The refresh and all it published are in: its answer comes after them.
    await all.waitFor(`${h.base}/bridge/response/refresh`, () => true, 10_000, refreshSince);
    const issued = h.sim.issuedSecrets();
    // Several tickets: first login, renewals or re-logins after expiry and revocation.
    expect(issued.tickets.length).toBeGreaterThanOrEqual(3);
    const secrets = [
      SIM_PASSWORD,
      WRONG_PASSWORD,
      MQTT_PASSWORD,
      ...issued.tickets,
      ...issued.tickets.map((t) => t.slice(t.indexOf("::") + 2)),
      ...issued.csrfTokens,
      ...issued.csrfTokens.map((t) => t.slice(t.indexOf(":") + 1)),
    ];
    const forms = (s: string) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)];
    const logText = h.logs.join("");
    // The session was really logged at trace level: requests, logins, commands.
    expect(h.logs.length).toBeGreaterThan(50);
    expect(logText).toContain("/access/ticket");
    const mqttText = all.messages.map((m) => `${m.topic} ${m.payload}`).join("\n");
    expect(all.messages.length).toBeGreaterThan(50);
    for (const secret of secrets) {
      for (const form of forms(secret)) {
        expect(logText.includes(form), `a secret (${secret.slice(0, 6)}…) is in the logs`).toBe(false);
        expect(mqttText.includes(form), `a secret (${secret.slice(0, 6)}…) is on MQTT`).toBe(false);
      }
    }
  });
});

describe("API token session", () => {
  const TOKEN_ID = "pve2mqtt@pve!bridge";
  const TOKEN_SECRET = "0b6c6f1e-5d2a-4c3b-9e8f-7a6b5c4d3e2f";
  let h: Harness;
  let all: Observer;

  beforeAll(async () => {
    h = await startHarness({
      sim: { tokens: { [TOKEN_ID]: { secret: TOKEN_SECRET, privsep: false } }, taskDurationMs: 100 },
      config: { proxmox: { user: undefined, password: undefined, token_id: TOKEN_ID, token_secret: TOKEN_SECRET } },
      captureLogs: true,
      logLevel: "trace",
    });
    all = await Observer.connect(h.brokerUrl, ["#"]);
  });
  afterAll(async () => {
    await all?.close();
    await h?.stop();
  });

  it("never shows the token secret, in logs or on MQTT, through polls, commands and a refused token", async () => {
    const since = h.observer.messages.length;
    await h.observer.publish(`${h.base}/qemu/100/set`, '{"action":"snapshot","name":"tok","id":"t1"}');
    await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.id === "t1" && r.status !== "started", 10_000, since);
    h.sim.injectFault({ path: "/cluster/resources", kind: "status", status: 401, reason: "invalid token value!", times: 3 });
    void h.bridge.pollNow();
    await waitInfo(h, (i) => i.last_poll_result === "error", since);
    void h.bridge.pollNow();
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    expect(h.sim.requests.every((r) => r.auth === "token" || r.path === "/access/ticket")).toBe(true);
    const text = h.logs.join("") + all.messages.map((m) => m.payload).join("\n");
    expect(h.logs.length).toBeGreaterThan(20);
    expect(text).not.toContain(TOKEN_SECRET);
    expect(text).not.toContain(TOKEN_SECRET.slice(0, 18));
  });
});
