import { readFileSync } from "node:fs";

function readPackageVersion(): string {
  const url = new URL("../package.json", import.meta.url);
  const pkg = JSON.parse(readFileSync(url, "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

/** The bridge's version, read once from package.json (one level above src/ and dist/). */
export const BRIDGE_VERSION = readPackageVersion();
export const PROJECT_URL = "https://github.com/pve2mqtt/pve2mqtt";
