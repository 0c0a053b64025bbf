import { spawn } from "node:child_process";
import { RUNTIME_ENV, RUNTIME_FLAGS } from "./runtime.js";

/**
 * Set to the parent's pid in the environment of a relaunched process: it never relaunches again,
 * whatever its flags, and it stops when that parent is gone.
 */
export const RELAUNCHED_ENV = "RELAUNCHED_BY_PVE2MQTT"; // not PVE2MQTT_…: those are config keys
const PARENT_CHECK_MS = 1000;

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * The runtime flags not yet given to this process, by name: a flag the user set on the command line
 * or in NODE_OPTIONS (with any value) is theirs and kept as they gave it.
 */
export function missingRuntimeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? "").split(/\s+/)].map(flagName));
  return RUNTIME_FLAGS.filter((flag) => !given.has(flagName(flag)));
}

function flagName(arg: string): string {
  // V8 treats `--max_semi_space_size` and `--max-semi-space-size` alike, and `--no-x` is flag `--x` turned off.
  return arg.split("=")[0]!.replace(/_/g, "-").replace(/^--no-/, "--");
}

/**
 * Runs this same command again in a child process that has the runtime flags, when they are
 * missing (V8 reads them only at start-up, so `node dist/cli.js run` and `npx pve2mqtt` would run
 * without them). The child inherits stdio and the environment; signals sent to this process are
 * passed on, and this process exits with the child's code. Returns false, doing nothing, when the
 * flags are already there or this process is itself a relaunch.
 */
export function relaunchWithRuntimeFlags(): boolean {
  const parent = process.env[RELAUNCHED_ENV];
  if (parent !== undefined) {
    if (Number(parent) === process.ppid) stopWhenOrphaned(process.ppid);
    return false;
  }
  const missing = missingRuntimeFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length === 0) return false;
  const env: NodeJS.ProcessEnv = { ...RUNTIME_ENV, ...process.env, [RELAUNCHED_ENV]: String(process.pid) };
  const child = spawn(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], { stdio: "inherit", env });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  child.once("error", (error) => {
    process.stderr.write(`pve2mqtt: cannot start ${process.execPath}: ${error.message}\n`);
    process.exitCode = 1;
  });
  child.once("exit", (code, signal) => {
    for (const [name, handler] of handlers) process.off(name, handler);
    if (signal) {
      // Ended by a signal it did not handle: end the same way, so the caller sees the same outcome.
      process.kill(process.pid, signal);
      return;
    }
    process.exitCode = code ?? 1;
  });
  return true;
}

/**
 * A parent killed outright (SIGKILL, the OOM killer) cannot pass anything on: the relaunched
 * process notices it was re-parented and stops as if sent SIGTERM, rather than run on unowned.
 */
function stopWhenOrphaned(parent: number): void {
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, PARENT_CHECK_MS);
  timer.unref();
}
