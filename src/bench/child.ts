import { spawn, type ChildProcess } from "node:child_process";
import { createInterface, type Interface } from "node:readline";

const START_TIMEOUT_MS = 30_000;
const REPLY_TIMEOUT_MS = 60_000;

/**
 * A node script in its own process, spoken to in JSON lines: its first stdout line is its
 * greeting; each `ask()` writes one command and takes the next stdout line as the answer (the
 * child answers in order). `tell()` sends a command that has no answer.
 */
export class JsonLineChild {
  private readonly waiting: Array<{ resolve: (value: unknown) => void; reject: (error: Error) => void }> = [];
  private stderrTail = "";

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
    private readonly lines: Interface,
  ) {
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    lines.on("line", (line) => {
      const next = this.waiting.shift();
      if (!next) return;
      try {
        next.resolve(JSON.parse(line));
      } catch {
        next.reject(new Error(`${name} answered something that is not JSON: ${line.slice(0, 200)}`));
      }
    });
    child.once("exit", (code, signal) => {
      for (const pending of this.waiting.splice(0)) pending.reject(new Error(`${name} exited (${code ?? signal}) before answering: ${this.stderrTail}`));
    });
  }

  /** Starts `node [nodeFlags…] script args…` and resolves with the child and its greeting line. */
  static async start<T>(
    name: string,
    script: string,
    args: string[],
    nodeFlags: readonly string[] = [],
    env: Record<string, string> = {},
  ): Promise<{ child: JsonLineChild; greeting: T }> {
    const process_ = spawn(process.execPath, [...nodeFlags, script, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    const killOnExit = (): void => {
      process_.kill("SIGKILL");
    };
    process.once("exit", killOnExit);
    process_.once("exit", () => process.off("exit", killOnExit));
    const child = new JsonLineChild(name, process_, createInterface({ input: process_.stdout! }));
    const greeting = await child.next<T>(START_TIMEOUT_MS);
    return { child, greeting };
  }

  /** Sends a command and waits for its one-line answer. */
  ask<T>(command: Record<string, unknown>): Promise<T> {
    const answer = this.next<T>(REPLY_TIMEOUT_MS);
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
    return answer;
  }

  /** Sends a command that has no answer. */
  tell(command: Record<string, unknown>): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** SIGTERM, then SIGKILL after 3 s. */
  stop(): Promise<void> {
    this.lines.close();
    return terminate(this.child, 3_000);
  }

  private next<T>(timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new Error(`${this.name} did not answer within ${timeoutMs} ms: ${this.stderrTail}`));
      }, timeoutMs);
      const entry = {
        resolve: (value: unknown) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiting.push(entry);
    });
  }
}

/** SIGTERM, then SIGKILL when the process has not exited after `graceMs`; resolves once it exited. */
export function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
