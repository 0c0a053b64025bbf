import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.js";

const SECRET = "e2e-notification-secret-42";
const PANEL_TOKEN = "e2e-panel-token-0123456789";
let h: Harness;

beforeAll(async () => {
  // Polls an hour apart: any poll seen during the test was triggered by a notification.
  h = await startHarness({ config: { poll: { interval: 3600 }, http: { port: 0, host: "127.0.0.1", token: PANEL_TOKEN }, notifications: { secret: SECRET } } });
});
afterAll(async () => {
  await h?.stop();
});

/** What PVE's webhook target sends with the README's settings. */
function notify(fields: Record<string, string>, title: string, secret = SECRET): Promise<Response> {
  return fetch(`${h.bridge.httpUrl}/api/pve-notification`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}` },
    body: JSON.stringify({ title, message: `${title}\n\ndetails`, severity: "info", timestamp: 1718000000, fields }),
  });
}

function lastPolls(since: number): string[] {
  return h.observer
    .on(`${h.base}/bridge/info`)
    .slice(since)
    .map((message) => (JSON.parse(message.payload) as { last_poll: string }).last_poll);
}

describe("PVE notifications through the bridge", () => {
  it("publishes each notification on B/bridge/event; a vzdump one polls at once, others do not", async () => {
    await h.observer.waitFor(`${h.base}/bridge/info`);
    const infoFrom = h.observer.on(`${h.base}/bridge/info`).length;
    const pollBefore = (h.observer.json(`${h.base}/bridge/info`) as { last_poll: string }).last_poll;
    const eventFrom = h.observer.messages.length;

    expect((await notify({ type: "package-updates", hostname: "pve2" }, "updates", "wrong-secret-0123456789")).status).toBe(401);
    expect((await notify({ type: "package-updates", hostname: "pve2" }, "updates")).status).toBe(204);
    const updates = await h.observer.waitForJson(`${h.base}/bridge/event`, () => true, 10_000, eventFrom);
    expect(updates).toEqual({ type: "package-updates", event_type: "package-updates", severity: "info", title: "updates", message: "updates\n\ndetails", hostname: "pve2", job_id: null, time: "2024-06-10T06:13:20.000Z" });

    const vzdumpFrom = h.observer.messages.length;
    expect((await notify({ type: "vzdump", hostname: "pve1", "job-id": "backup-nightly" }, "backup ok")).status).toBe(204);
    const vzdump = await h.observer.waitForJson(`${h.base}/bridge/event`, () => true, 10_000, vzdumpFrom);
    expect(vzdump).toMatchObject({ type: "vzdump", hostname: "pve1", job_id: "backup-nightly" });
    await h.observer.waitForJson<{ last_poll: string }>(`${h.base}/bridge/info`, (info) => info.last_poll !== pollBefore, 10_000, vzdumpFrom);

    // exactly one poll since the start: the vzdump one (the package-updates one and the refused one triggered none)
    expect(new Set(lastPolls(infoFrom).filter((poll) => poll !== pollBefore)).size).toBe(1);
    const events = h.observer.on(`${h.base}/bridge/event`).filter((message) => h.observer.messages.indexOf(message) >= eventFrom);
    expect(events.map((message) => (JSON.parse(message.payload) as { title: string }).title)).toEqual(["updates", "backup ok"]);
    expect(events.every((message) => !message.retain)).toBe(true);
  });

  it("answers without the panel's token, which still guards the panel's API", async () => {
    expect((await fetch(`${h.bridge.httpUrl}/api/meta`)).status).toBe(401);
    expect((await notify({}, "no panel token needed")).status).toBe(204);
    expect((await notify({}, "the panel token is not the secret", PANEL_TOKEN)).status).toBe(401);
  });
});
