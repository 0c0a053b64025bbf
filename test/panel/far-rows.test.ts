import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPanel } from "../../web/build.mjs";
import { startHarness, type Harness } from "../e2e/harness.js";

const CHROMIUM = "/usr/bin/chromium";
const TOKEN = "far-rows-test-token-0123";

let h: Harness;
let browser: Browser;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`the panel's browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (as .ci/run does)`);
  await buildPanel();
  // 6 nodes, 600 guests: far more rows than a screen holds
  h = await startHarness({ sim: { nodes: 6, guests: 600 }, config: { http: { port: 0, host: "127.0.0.1", token: TOKEN } } });
  userDataDir = mkdtempSync(join(tmpdir(), "pve2mqtt-chromium-"));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await h?.stop();
});

describe("the web panel with hundreds of guests", () => {
  it("draws the rows of the node sections near the screen, keeps the others' room, and draws them when scrolled to", async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${h.bridge.httpUrl}/?token=${TOKEN}`);
    await page.waitForSelector("tr[data-topic]");
    // every section counts all its guests, drawn or not
    const counted = await page.$$eval("[data-guests]", (spans) => spans.reduce((sum, span) => sum + Number(span.getAttribute("data-guests")), 0));
    const guestDevices = h.observer.topics(`${h.base}/qemu/`).concat(h.observer.topics(`${h.base}/lxc/`)).filter((topic) => /^[^/]+\/(qemu|lxc)\/\d+$/.test(topic)).length;
    expect(counted).toBe(guestDevices);
    const drawn = await page.$$eval("tr[data-topic]", (rows) => rows.length);
    expect(drawn).toBeLessThan(guestDevices);
    const lastSection = "section.node:last-of-type";
    expect(await page.$eval(lastSection, (section) => section.querySelector("[data-rows-later]") !== null)).toBe(true);

    await page.$eval(lastSection, (section) => section.scrollIntoView());
    await page.waitForFunction((selector) => document.querySelector(selector)?.querySelector("tr[data-topic]") !== null, {}, lastSection);
    expect(await page.$eval(lastSection, (section) => section.querySelector("[data-rows-later]"))).toBeNull();
    await page.close();
  });
});
