import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
export const SIM_CLI = fileURLToPath(new URL("../../dist/sim/cli.js", import.meta.url));

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `node [nodeArgs] script args` with only PATH and `env` as its environment. */
export function spawnNode(script: string, args: string[], options: { env?: Record<string, string>; nodeArgs?: string[] } & Pick<SpawnOptions, "cwd"> = {}): Spawned {
  let output = "";
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    env: { PATH: process.env.PATH ?? "", TMPDIR: process.env.TMPDIR ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    cwd: options.cwd,
  });
  child.stdout!.on("data", (chunk) => (output += String(chunk)));
  child.stderr!.on("data", (chunk) => (output += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** Resolves with the first match of `pattern` in the output; fails after `timeoutMs` showing the output. */
export async function waitForOutput(spawned: Spawned, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(spawned.output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms in output:\n${spawned.output()}`);
    if (spawned.child.exitCode !== null) throw new Error(`exited (${spawned.child.exitCode}) without ${pattern}; output:\n${spawned.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Kills what is still running, for afterEach. */
export async function killAll(children: Spawned[]): Promise<void> {
  for (const spawned of children.splice(0)) {
    if (spawned.child.exitCode === null && spawned.child.signalCode === null) {
      spawned.child.kill("SIGKILL");
      await spawned.exited;
    }
  }
}
