import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { JsonLineChild } from "./child.js";

export interface BenchBroker {
  url: string;
  kind: "mosquitto" | "aedes";
  stop(): Promise<void>;
}

/** mosquitto in its own process when installed, else aedes in a child process: the broker's CPU is never the bridge's. */
export async function startBroker(): Promise<BenchBroker> {
  const binary = findMosquitto();
  if (binary) return startMosquitto(binary);
  const { child, greeting } = await JsonLineChild.start<{ url: string }>("aedes broker", fileURLToPath(new URL("./aedes-cli.js", import.meta.url)), []);
  return { url: greeting.url, kind: "aedes", stop: () => child.stop() };
}

function findMosquitto(): string | null {
  const which = spawnSync("which", ["mosquitto"], { encoding: "utf8" });
  const found = which.status === 0 ? which.stdout.trim() : "";
  if (found) return found;
  return existsSync("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : null;
}

async function startMosquitto(binary: string): Promise<BenchBroker> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), "pve2mqtt-bench-mosquitto-"));
  const configFile = join(directory, "mosquitto.conf");
  writeFileSync(configFile, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "max_queued_messages 0", "log_dest stderr", "log_type error", ""].join("\n"));
  const child = spawn(binary, ["-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(directory, { recursive: true, force: true });
  };
  const deadline = Date.now() + 5_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mosquitto did not start on 127.0.0.1:${port}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { url: `mqtt://127.0.0.1:${port}`, kind: "mosquitto", stop };
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

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 2_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
