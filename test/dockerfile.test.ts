import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RUNTIME_ENV, RUNTIME_FLAGS } from "../src/runtime.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dockerfile = readFileSync(new URL("../Dockerfile", import.meta.url), "utf8");
const lines = dockerfile.split("\n").map((line) => line.trim());

describe("Dockerfile", () => {
  it("copies only paths that exist in the repository or the build stage", () => {
    const copies = lines.filter((line) => line.startsWith("COPY "));
    expect(copies.length).toBeGreaterThan(3);
    for (const line of copies) {
      if (line.includes("--from=build")) continue;
      const parts = line.replace(/^COPY\s+/, "").split(/\s+/).filter((part) => !part.startsWith("--"));
      for (const source of parts.slice(0, -1)) expect(existsSync(`${root}/${source}`), `${source} (in: ${line})`).toBe(true);
    }
    // What the runtime stage takes from the build stage is produced there: dist (npm run build),
    // node_modules (npm ci), package.json (copied in), and the node image's own binary.
    const fromBuild = copies.filter((line) => line.includes("--from=build")).map((line) => line.split(/\s+/)[2]);
    expect(fromBuild.sort()).toEqual(["/app/dist", "/app/node_modules", "/app/package.json", "/usr/local/bin/node"]);
  });

  it("runs the built entry point as a non-root user, with a health check on /health", () => {
    const entry = lines.find((line) => line.startsWith("ENTRYPOINT"))!;
    expect(entry).toContain("/app/dist/cli.js");
    // The V8 flags the benchmark measures the daemon with are the ones it ships with.
    for (const flag of RUNTIME_FLAGS) expect(entry).toContain(flag);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    for (const flag of RUNTIME_FLAGS) expect(pkg.scripts.start).toContain(flag);
    for (const [name, value] of Object.entries(RUNTIME_ENV)) expect(dockerfile).toContain(`${name}=${value}`);
    expect(existsSync(`${root}/dist/cli.js`)).toBe(true); // the build produces the entry point it names
    expect(lines).toContain("USER pve2mqtt");
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/health/);
    expect(dockerfile).toMatch(/PVE2MQTT_HTTP__PORT=9616/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/FROM node:24-alpine3\.22 AS build/);
    expect(dockerfile).toMatch(/^FROM alpine:3\.22$/m); // the runtime's musl matches the node binary's
  });
});
