import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPanel } from "../../web/build.mjs";
import { startHarness, type Harness } from "../e2e/harness.js";
import { waitFor } from "../mqtt/helpers.js";

/** Debian's chromium (apt-get install chromium; .ci/run installs it). Never downloaded by the tests. */
const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "panel-browser-test-token";

let h: Harness;
let browser: Browser;
let page: Page;
let userDataDir: string;
const requested: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the panel's browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does)`);
  await buildPanel();
  h = await startHarness({
    config: {
      http: { port: 0, host: "127.0.0.1", token: TOKEN },
      schedules: [{ name: "nightly", cron: "0 2 * * *", action: "snapshot", targets: { tags: ["prod"] }, keep: 2 }],
    },
  });
  userDataDir = mkdtempSync(join(tmpdir(), "pve2mqtt-chromium-"));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  page = await browser.newPage();
  page.on("request", (request) => requested.push(request.url()));
  await page.setViewport({ width: 1280, height: 900 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await h?.stop();
});

const text = (selector: string) => page.$eval(selector, (element) => element.textContent ?? "");
const rowText = (topic: string) => text(`tr[data-topic="${topic}"]`);

/** State topics the bridge published (without the base): what the page must show. */
function published(kind: string): string[] {
  return h.observer
    .topics(`${h.base}/${kind}/`)
    .map((topic) => topic.slice(h.base.length + 1))
    .filter((topic) => !/\/(availability|result|set)$/.test(topic));
}

describe("the web panel in Chromium", () => {
  it("asks for the token (no data with a wrong one), then shows every node, guest and storage, requesting nothing outside its origin", async () => {
    const origin = h.bridge.httpUrl!;
    await page.goto(`${origin}/`);
    await page.waitForSelector(".login form");
    expect(await page.$$("tr[data-topic]")).toEqual([]);

    await page.type('.login input[name="token"]', "wrong-token-wrong-token");
    await page.click('.login button[type="submit"]');
    await page.waitForSelector(".login .error");
    expect(await page.$$("tr[data-topic]")).toEqual([]);

    await page.$eval('.login input[name="token"]', (input) => ((input as HTMLInputElement).value = ""));
    await page.type('.login input[name="token"]', TOKEN);
    await page.click('.login button[type="submit"]');
    await page.waitForSelector('tr[data-topic="qemu/100"]');

    const nodes = published("node");
    expect(nodes.length).toBe(3);
    for (const node of nodes) await page.waitForSelector(`section[data-node="${node.slice("node/".length)}"]`);
    const devices = [...published("qemu"), ...published("lxc"), ...published("storage")];
    expect(devices.length).toBeGreaterThan(10);
    for (const topic of devices) await page.waitForSelector(`tr[data-topic="${topic}"]`);
    expect(await rowText("qemu/100")).toContain("homeassistant");
    expect(await page.$('tr[data-topic="qemu/9000"]')).toBeNull(); // templates are not devices

    expect(requested.length).toBeGreaterThan(0);
    for (const url of requested) expect(url.startsWith(`${origin}/`) || url.startsWith(origin.replace(/^http/, "ws")) || url.startsWith("data:"), url).toBe(true);
  });

  it("shows a change in the simulator without a reload", async () => {
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    h.sim.updateGuest(101, { name: "docker-renamed" });
    await page.waitForFunction(() => document.querySelector('tr[data-topic="qemu/101"]')?.textContent?.includes("docker-renamed"), { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  });

  it("asks before stopping, sends nothing until confirmed, then shows the result", async () => {
    const since = h.observer.messages.length;
    const setMessages = () => h.observer.messages.slice(since).filter((m) => m.topic === `${h.base}/qemu/101/set`);
    await page.click('button[data-actions="qemu/101"]');
    await page.click('.dialog button[data-action="stop"]');
    await page.waitForSelector(".dialog .confirm");
    expect(await text(".dialog .confirm")).toContain("101");
    expect(h.sim.guest(101)!.status).toBe("running");
    await page.click('.dialog button[data-action="confirm"]');
    await waitFor(() => h.sim.guest(101)!.status === "stopped", "guest 101 stopped in the simulator");
    await page.waitForFunction(() => document.querySelector('tr[data-topic="qemu/101"] td.result [data-status="ok"]')?.textContent?.includes("stop"), { timeout: 10_000 });
    // one command: choosing "stop" alone sent nothing
    expect(setMessages().length).toBe(1);
    expect(JSON.parse(setMessages()[0]!.payload)).toMatchObject({ action: "stop" });
  });

  it("takes a snapshot with the typed name and shows its result", async () => {
    await page.click('button[data-actions="lxc/200"]');
    await page.click('.dialog button[data-action="snapshot"]');
    await page.type('.dialog input[name="name"]', "from_panel");
    await page.type('.dialog input[name="description"]', "taken in the browser");
    await page.click('.dialog button[data-action="confirm"]');
    await waitFor(() => h.sim.guest(200)!.snapshots.includes("from_panel"), "the snapshot in the simulator");
    await page.waitForFunction(() => document.querySelector('tr[data-topic="lxc/200"] td.result [data-status="ok"]')?.textContent?.includes("snapshot"), { timeout: 10_000 });
  });

  it("backs up from a form offering the backup storages of the guest's node, with the chosen mode and compression", async () => {
    const before = h.sim.requests.length;
    const node = h.observer.json<{ node: string }>(`${h.base}/qemu/101`).node;
    // what the bridge published: the storages of that node whose content holds backups
    const expected = published("storage")
      .filter((topic) => topic.startsWith(`storage/${node}/`))
      .filter((topic) => (h.observer.json<{ content: string[] }>(`${h.base}/${topic}`).content ?? []).includes("backup"))
      .map((topic) => topic.split("/")[2]!)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    await page.click('button[data-actions="qemu/101"]');
    await page.click('.dialog button[data-action="backup"]');
    await page.waitForSelector('.dialog select[name="storage"]');
    const offered = await page.$$eval('.dialog select[name="storage"] option', (options) => options.map((option) => (option as HTMLOptionElement).value).filter((value) => value !== ""));
    expect(offered.sort()).toEqual(expected);
    await page.select('.dialog select[name="storage"]', expected[0]!);
    await page.select('.dialog select[name="mode"]', "stop");
    await page.select('.dialog select[name="compress"]', "gzip");
    await page.click('.dialog button[data-action="confirm"]');
    const vzdump = () => h.sim.requests.slice(before).find((request) => request.method === "POST" && request.path === `/nodes/${node}/vzdump`);
    await waitFor(() => vzdump() !== undefined, "the backup request in the simulator");
    expect(vzdump()!.body).toMatchObject({ vmid: "101", storage: expected[0], mode: "stop", compress: "gzip" });
    await page.waitForFunction(() => document.querySelector('tr[data-topic="qemu/101"] td.result [data-status]')?.textContent?.includes("backup"), { timeout: 10_000 });
  });

  it("fits a phone's screen: no sideways scrolling of the page, a guest's actions within reach", async () => {
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    try {
      await page.reload();
      await page.waitForSelector('tr[data-topic="qemu/100"]');
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
      await page.tap('button[data-actions="qemu/100"]');
      await page.waitForSelector('.dialog button[data-action="snapshot"]');
      const dialog = await page.$eval(".dialog", (element) => {
        const box = element.getBoundingClientRect();
        return { left: box.left, right: box.right };
      });
      expect(dialog.left).toBeGreaterThanOrEqual(0);
      expect(dialog.right).toBeLessThanOrEqual(390);
      await page.tap('.dialog button[data-action="cancel"]');
    } finally {
      // back to the desktop page the next tests expect
      await page.setViewport({ width: 1280, height: 900 });
      await page.reload();
      await page.waitForSelector('tr[data-topic="qemu/100"]');
    }
  });

  it("shows bridge/info and the privilege report in Health, the results in Events", async () => {
    await page.click('a[data-view="health"]');
    await page.waitForSelector('[data-field="cluster"] dd');
    // the page was reloaded (phone test): bridge/info may come a moment after the view
    await page.waitForFunction(() => document.querySelector('[data-field="cluster"] dd')?.textContent === "homelab", { timeout: 10_000 });
    await page.waitForSelector("section.privileges tr[data-feature]");
    expect(await page.$$(`tr[data-host]`)).toHaveLength(h.sim.urls.length);
    await page.waitForSelector('tr[data-schedule="nightly"]');
    expect(await text('tr[data-schedule="nightly"]')).toContain("0 2 * * *");
    await page.click('a[data-view="events"]');
    await page.waitForSelector('main.events tr[data-topic="lxc/200/result"]');
    expect(await text('main.events tr[data-topic="lxc/200/result"]')).toContain("snapshot");
    await page.click('a[data-view="cluster"]');
  });

  it("lets go of its WebSocket when the page is left, and follows again when it comes back", async () => {
    const clients = async () => Number(/^pve2mqtt_panel_clients (\d+)$/m.exec(await (await fetch(`${h.bridge.httpUrl}/metrics`)).text())?.[1]);
    await waitFor(async () => (await clients()) === 1, "the page following the bridge");
    await page.goto("about:blank");
    // left for another page (kept or not in the back/forward cache): nothing is sent to it any more
    await waitFor(async () => (await clients()) === 0, "the left page's WebSocket closed");
    await page.goBack();
    await page.waitForSelector('tr[data-topic="qemu/100"]');
    await waitFor(async () => (await clients()) === 1, "the page back and following again");
    h.sim.updateGuest(101, { name: "back-again" });
    await page.waitForFunction(() => document.querySelector('tr[data-topic="qemu/101"]')?.textContent?.includes("back-again"), { timeout: 10_000 });
  });
});

describe("a read-only bridge in Chromium", () => {
  it("shows the cluster without any action control", async () => {
    const readOnly = await startHarness({ config: { http: { port: 0, host: "127.0.0.1" }, commands: { enabled: false } } });
    const other = await browser.newPage();
    try {
      await other.goto(`${readOnly.bridge.httpUrl}/`);
      await other.waitForSelector('tr[data-topic="qemu/100"]');
      expect(await other.$$("button[data-actions]")).toEqual([]);
      expect(await other.$$("td.act")).toEqual([]);
    } finally {
      await other.close();
      await readOnly.stop();
    }
  });
});
