import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Tests that spawn the CLI (`node dist/cli.js`) need a build of the current sources. A failed
 * build is reported but does not stop the other tests: `npm ci` (prepare) already fails hard on
 * it, and the tests that spawn the CLI fail on their own.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "pipe" });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    console.warn(`global setup: the build failed; tests that spawn dist/cli.js will fail:\n${output.slice(0, 2000)}`);
  }
}
