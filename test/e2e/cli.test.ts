import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator } from "../../src/sim/index.js";
import { Observer, SIM_PASSWORD, SIM_USER } from "./harness.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function run(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  child.stdout!.on("data", (chunk) => (output += String(chunk)));
  child.stderr!.on("data", (chunk) => (output += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(output());
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("npm run demo (pve2mqtt demo)", () => {
  it("prints how to watch it, and states arrive within seconds", async () => {
    const demo = run(["demo"], { PVE2MQTT_EMBEDDED_BROKER__PORT: "0" });
    const match = await waitForOutput(demo.output, /mosquitto_sub -h 127\.0\.0\.1 -p (\d+) -t 'pve2mqtt\/#' -v/, 20_000);
    const observer = await Observer.connect(`mqtt://127.0.0.1:${match[1]}`, ["pve2mqtt/#", "homeassistant/#"]);
    cleanups.push(() => observer.close());
    expect(await observer.waitFor("pve2mqtt/bridge/state", () => true, 5000)).toBe("online");
    const vm = await observer.waitForJson("pve2mqtt/qemu/100", () => true, 5000);
    expect(vm).toMatchObject({ vmid: 100, name: "homeassistant", type: "qemu" });
    await observer.waitFor("pve2mqtt/node/pve1", () => true, 5000);
    // Every device's discovery arrives too (a storage is among the last devices published).
    await observer.waitForTopic((t) => t.startsWith("homeassistant/") && t.includes("/storage_pve3_nas_"), 5000);
    expect(observer.topics("homeassistant/").length).toBeGreaterThan(200);
    demo.child.kill("SIGINT");
    expect(await demo.exited).toBe(0);
  });
});

describe("pve2mqtt run", () => {
  it("exits non-zero before connecting anything when the config is bad, naming every wrong key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-cli-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "config.yaml");
    writeFileSync(path, "proxmox:\n  hosts: []\n  user: someone\n  timeout: soon\npoll:\n  interval: 0\n");
    const bad = run(["run", "--config", path]);
    expect(await bad.exited).not.toBe(0);
    expect(bad.output()).toMatch(/proxmox\.hosts/);
    expect(bad.output()).toMatch(/proxmox\.timeout/);
    expect(bad.output()).toMatch(/poll\.interval/);
  });

  it("on SIGTERM during a running backup: publishes offline, exits cleanly within 5 s, leaves the task alone", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 60_000 });
    cleanups.push(() => sim.stop());
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    cleanups.push(() => broker.close());
    const observer = await Observer.connect(broker.url, ["pve2mqtt/#"]);
    cleanups.push(() => observer.close());
    const daemon = run(["run"], {
      PVE2MQTT_PROXMOX__HOSTS: sim.urls.join(","),
      PVE2MQTT_PROXMOX__USER: SIM_USER,
      PVE2MQTT_PROXMOX__PASSWORD: SIM_PASSWORD,
      PVE2MQTT_PROXMOX__FINGERPRINT: sim.fingerprint,
      PVE2MQTT_MQTT__URL: broker.url,
      PVE2MQTT_POLL__INTERVAL: "1",
    });
    await observer.waitFor("pve2mqtt/bridge/state", (p) => p === "online", 15_000);
    await observer.waitFor("pve2mqtt/qemu/100", () => true, 5000);
    await observer.publish("pve2mqtt/qemu/100/set", "backup");
    await observer.waitForJson("pve2mqtt/qemu/100/result", (r) => r.status === "started", 5000);
    const requestsBefore = sim.requests.length;
    const since = observer.messages.length;
    const stoppedAt = Date.now();
    daemon.child.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    await observer.waitFor("pve2mqtt/bridge/state", (p) => p === "offline", 2000, since);
    const after = sim.requests.slice(requestsBefore);
    expect(after.filter((r) => r.method !== "GET")).toEqual([]);
    expect(sim.guest(100)!.lock).toBe("backup"); // still running on PVE
    expect(daemon.output()).not.toContain(SIM_PASSWORD);
  });
});
