// `npm run screenshot`: renders the demo's web panel to docs/panel.png (the README shows it).
// Starts the demo in-process on free ports, opens the panel in Debian's headless Chromium, waits
// until every node and guest is on the page, then writes the PNG and stops everything.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";
import { startDemo } from "../dist/demo.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = "/usr/bin/chromium";
const NODES = 3; // the demo's simulated cluster

/**
 * Renders the panel of a fresh demo into `outFile` (default docs/panel.png); returns its path.
 * 1680 px wide: the guest table fits up to its result and action columns without scrolling.
 */
export async function renderPanelScreenshot({ outFile = join(root, "docs", "panel.png"), width = 1680, height = 1000, timeoutMs = 30_000 } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`the screenshot needs Chromium at ${CHROMIUM}: apt-get install chromium`);
  const demo = await startDemo({ mqttPort: 0, httpPort: 0, logLevel: "error" });
  const userDataDir = mkdtempSync(join(tmpdir(), "pve2mqtt-screenshot-"));
  let browser;
  try {
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      userDataDir,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const page = await browser.newPage();
    await page.setViewport({ width, height });
    await page.goto(`${demo.bridge.httpUrl}/`);
    await page.waitForFunction(panelRendered, { timeout: timeoutMs }, NODES);
    await page.screenshot({ path: outFile, type: "png" });
    return outFile;
  } finally {
    await browser?.close();
    rmSync(userDataDir, { recursive: true, force: true });
    await demo.stop();
  }
}

/**
 * Runs in the page: every node is there with its details (the PVE version arrives with them), a
 * guest, a storage, a disk and a ZFS pool each — what the demo's simulated nodes all have.
 */
function panelRendered(nodes) {
  const sections = [...document.querySelectorAll("section[data-node]")];
  if (sections.length < nodes) return false;
  return sections.every((section) => {
    const node = section.dataset.node;
    const version = section.querySelector('[data-field="pve_version"] dd')?.textContent;
    const has = (topic) => section.querySelector(`tr[data-topic^="${topic}"]`) !== null;
    return version !== undefined && version !== "—" && (has("qemu/") || has("lxc/")) && has(`storage/${node}/`) && has(`disk/${node}/`) && has(`zfs/${node}/`);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = await renderPanelScreenshot({ outFile: process.argv[2] });
  console.log(`wrote ${file}`);
}
