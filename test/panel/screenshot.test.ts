import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPanel } from "../../web/build.mjs";
import { renderPanelScreenshot } from "../../scripts/screenshot.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG's size from its IHDR chunk (right after the signature, the chunk length and its type). */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`).toBe(true);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("the README's screenshot of the panel", () => {
  it("is shown in the Web panel section and committed as a readable, small PNG", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Web panel"), readme.indexOf("\n## ", readme.indexOf("## Web panel") + 1));
    expect(section).toMatch(/!\[[^\]]+\]\(docs\/panel\.png\)/);
    const file = join(root, "docs", "panel.png");
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeLessThan(400 * 1024);
    const { width, height } = pngSize(file);
    expect(width).toBeGreaterThanOrEqual(1280);
    expect(height).toBeGreaterThanOrEqual(800);
  });
});

describe("npm run screenshot", () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync("/usr/bin/chromium")) throw new Error("the screenshot test needs Chromium at /usr/bin/chromium: apt-get install chromium (as .ci/run does)");
    await buildPanel();
    dir = mkdtempSync(join(tmpdir(), "pve2mqtt-shot-test-"));
  }, 60_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("renders a fresh demo's panel to a PNG of the asked size, then leaves no browser profile behind", async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith("pve2mqtt-screenshot-") || name.startsWith("pve2mqtt-demo-"));
    const file = await renderPanelScreenshot({ outFile: join(dir, "panel.png"), width: 1400, height: 900 });
    expect(file).toBe(join(dir, "panel.png"));
    expect(pngSize(file)).toEqual({ width: 1400, height: 900 });
    // a rendered cluster, not a blank or login page: tens of kilobytes of tables
    expect(statSync(file).size).toBeGreaterThan(40 * 1024);
    const after = readdirSync(tmpdir()).filter((name) => name.startsWith("pve2mqtt-screenshot-") || name.startsWith("pve2mqtt-demo-"));
    expect(after).toEqual(before);
  }, 60_000);
});
