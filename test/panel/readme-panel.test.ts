import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPanel } from "../../web/build.mjs";
import { startHarness, type Harness } from "../e2e/harness.js";
import { waitFor } from "../mqtt/helpers.js";
import { openWs } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "readme-panel-test-token";
const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");
const start = readme.indexOf("## Web panel");
const panelSection = readme.slice(start, readme.indexOf("\n## ", start + 1));
// the README's Web panel section links the WebSocket API's page, which has the examples
const apiPage = readFileSync(fileURLToPath(new URL("../../docs/panel-api.md", import.meta.url)), "utf8");

let h: Harness;
beforeAll(async () => {
  await buildPanel();
  h = await startHarness({ config: { http: { port: 0, host: "127.0.0.1", token: TOKEN } } });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

type Frame = { topic: string; payload: unknown };
const result = (topic: string, status: string, id: string | null = null) => (m: Frame) =>
  m.topic === topic && (m.payload as { status?: string; id?: unknown }).status === status && (id === null || (m.payload as { id?: unknown }).id === id);

describe("the README's Web panel section and its API page (docs/panel-api.md), against a real bridge", () => {
  it("links the WebSocket API's page", () => {
    expect(panelSection).toContain("(docs/panel-api.md)");
  });

  it("its WebSocket examples command the cluster and their results come back as …/result messages", async () => {
    const examples = [...apiPage.matchAll(/```json\n([\s\S]*?)```/g)].flatMap(([, block]) => block!.trim().split("\n"));
    expect(examples).toHaveLength(2);
    h.sim.updateGuest(100, { status: "stopped" });
    const ws = await openWs(h.bridge.httpUrl!, { token: TOKEN });
    try {
      await ws.waitFor((m) => m.topic === "bridge/info", "the replay");
      for (const line of examples) ws.send(line);
      await ws.waitFor(result("qemu/100/result", "ok"), "qemu/100 started", 15_000);
      await ws.waitFor(result("lxc/200/result", "ok", "job-7"), "the snapshot's result", 15_000);
      await waitFor(() => h.sim.guest(100)!.status === "running", "guest 100 running");
      expect(h.sim.guest(200)!.snapshots).toContain("before_upgrade");
    } finally {
      await ws.close();
    }
  });

  it("states the error frame exactly as the server sends it", async () => {
    const ws = await openWs(h.bridge.httpUrl!, { token: TOKEN });
    try {
      ws.send({ topic: "qemu/100/reboot", payload: { action: "reboot", id: "r1" } });
      const error = await ws.waitFor((m) => m.topic === "error", "an error frame");
      expect(Object.keys(error.payload as object).sort()).toEqual(["error", "id", "request"]);
      expect(error.payload).toMatchObject({ request: "qemu/100/reboot", id: "r1" });
      expect(apiPage.replace(/\s+/g, " ")).toContain('{"topic": "error", "payload": {"error": "<the reason>", "request": "<its topic or null>", "id": <its id or null>}}');
    } finally {
      await ws.close();
    }
    const closed = await openWs(h.bridge.httpUrl!, { token: "wrong-token-wrong-token" });
    expect((await closed.closed).code).toBe(4401);
    expect(apiPage).toContain("4401");
  });

  it("the panel works inside another site's page (a Home Assistant Webpage dashboard), its token in the URL", async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`this test needs Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does)`);
    expect(panelSection).toContain("?token=<http.token>");
    const panelUrl = `${h.bridge.httpUrl}/?token=${TOKEN}`;
    // another origin (another port) framing the panel, as Home Assistant's dashboard does
    const host: Server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><iframe src="${panelUrl}" width="1200" height="800"></iframe>`);
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    const userDataDir = mkdtempSync(join(tmpdir(), "pve2mqtt-chromium-"));
    const browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      userDataDir,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const page = await browser.newPage();
      const address = host.address() as { port: number };
      await page.goto(`http://127.0.0.1:${address.port}/`);
      await waitFor(() => page.frames().some((frame) => frame.url().startsWith(h.bridge.httpUrl!)), "the panel's frame");
      const frame = page.frames().find((candidate) => candidate.url().startsWith(h.bridge.httpUrl!))!;
      await frame.waitForSelector('tr[data-topic="qemu/100"]', { timeout: 15_000 });
      expect(await frame.$(".login form")).toBeNull();
    } finally {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
      await new Promise((resolve) => host.close(resolve));
    }
  }, 60_000);
});
