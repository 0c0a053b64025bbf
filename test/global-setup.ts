import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Tests that spawn the CLI (`node dist/cli.js`) need a build of the current sources. A failed
 * build is reported but does not stop the other tests: `npm ci` (prepare) already fails hard on
 * it, and the tests that spawn the CLI fail on their own.
 *
 * The suite's temporary files all go into one directory of this run (TMPDIR, inherited by the test
 * workers and every process they start): the OS temp folder gets nothing, and the teardown fails
 * the run naming whatever a test left behind there.
 */
export default function setup(): () => void {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "pipe" });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? String(error);
    console.warn(`global setup: the build failed; tests that spawn dist/cli.js will fail:\n${output.slice(0, 2000)}`);
  }

  const osTemp = tmpdir();
  const runTemp = mkdtempSync(join(osTemp, "pve2mqtt-test-run-"));
  process.env.TMPDIR = runTemp;
  return () => {
    process.env.TMPDIR = osTemp;
    const left = readdirSync(runTemp);
    rmSync(runTemp, { recursive: true, force: true });
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0: the exit code is set by hand.
      console.error(`\nFAIL: tests left ${left.length} entries in the temp folder (remove what a test creates, in afterEach/afterAll): ${left.sort().join(", ")}\n`);
      process.exitCode = 1;
    }
  };
}
