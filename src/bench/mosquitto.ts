import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terminate } from "./child.js";

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Stops and starts the broker again on the same port (retained messages are lost: no persistence). */
  restart(): Promise<void>;
}

const START_TIMEOUT_MS = 5_000;

/** The mosquitto binary, or null when it is not installed. */
export function findMosquitto(): string | null {
  const which = spawnSync("which", ["mosquitto"], { encoding: "utf8" });
  const found = which.status === 0 ? which.stdout.trim() : "";
  const path = found || "/usr/sbin/mosquitto";
  return existsSync(path) ? path : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitUntilListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with code ${child.exitCode}: ${output()}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms: ${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return terminate(child, 2_000);
}

/**
 * Starts a private mosquitto on a free 127.0.0.1 port (anonymous, no persistence), for the tests
 * that need a real broker and for the benchmark. Throws when mosquitto is not installed.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const binary = findMosquitto();
  if (!binary) throw new Error("mosquitto is not installed; these tests need a real broker: run `apt-get install -y mosquitto`");
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), "pve2mqtt-mosquitto-"));
  const configFile = join(directory, "mosquitto.conf");
  writeFileSync(configFile, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr", "log_type error", "log_type warning", ""].join("\n"));

  let child: ChildProcess | undefined;
  const launch = async () => {
    let output = "";
    const started = spawn(binary, ["-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    started.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2000);
    });
    child = started;
    // if the test process ends without calling stop(), do not leave an orphan broker behind
    const killOnExit = () => started.kill("SIGKILL");
    process.once("exit", killOnExit);
    started.once("exit", () => process.off("exit", killOnExit));
    try {
      await waitUntilListening(port, started, () => output);
    } catch (error) {
      await stopChild(started);
      throw error;
    }
  };
  try {
    await launch();
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child) await stopChild(child);
      rmSync(directory, { recursive: true, force: true });
    },
    async restart() {
      if (child) await stopChild(child);
      await launch();
    },
  };
}
