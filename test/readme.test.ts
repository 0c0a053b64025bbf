import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const pages = ["README.md", ...readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md")).map((name) => `docs/${name}`)];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

describe("README as a front door", () => {
  it("says how to get the code, and creates the config before checking it", () => {
    const setUp = readme.slice(readme.indexOf("## Get it and set it up"));
    const clone = setUp.indexOf("git clone ");
    const config = setUp.indexOf("cp config.example.yaml config.yaml");
    const check = setUp.indexOf("node dist/cli.js check");
    expect(clone).toBeGreaterThan(0);
    expect(config).toBeGreaterThan(clone);
    expect(check).toBeGreaterThan(config);
  });

  it("never sends a user to the npm registry: npx only with --no-install", () => {
    for (const page of pages) {
      const text = readFileSync(join(root, page), "utf8");
      const bare = text.match(/npx (?!--no-install )pve2mqtt[^\n]*/g) ?? [];
      // Prose naming the command (in backquotes, not a line to copy) is allowed; code lines are not.
      const codeLines = bare.filter((line) => !/^npx pve2mqtt[^`]*`/.test(line));
      expect(codeLines, page).toEqual([]);
    }
  });

  it("has its systemd unit create nothing it did not document: the user and the config directory", () => {
    // The unit moved to docs/install.md, which the README links to.
    expect(readme).toContain("(docs/install.md)");
    const install = readFileSync(join(root, "docs", "install.md"), "utf8");
    expect(install).toMatch(/useradd --system [^\n]* pve2mqtt/);
    expect(install).toMatch(/install -d [^\n]* \/etc\/pve2mqtt/);
    expect(install).toMatch(/User=pve2mqtt/);
  });

  it("every relative link of the README and docs/ leads to a file, and every #anchor to a heading", () => {
    for (const page of pages) {
      const text = readFileSync(join(root, page), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, hash] = target!.split("#");
        const path = file ? join(root, dirname(page), file) : join(root, page);
        expect(existsSync(path), `${page}: ${target}`).toBe(true);
        if (hash && path.endsWith(".md")) {
          const headings = [...readFileSync(path, "utf8").matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]!));
          expect(headings, `${page}: ${target}`).toContain(hash);
        }
      }
    }
  });
});
