import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Bridge } from "../../src/bridge.js";
import { loadConfig } from "../../src/config/load.js";
import { exposureWarning, startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveTlsError } from "../../src/pve/errors.js";
import { silentLogger } from "../../src/log.js";
import { PveSimulator } from "../../src/sim/index.js";
import { SIM_PASSWORD, SIM_USER, sleep, startHarness, testConfig, type Harness } from "../e2e/harness.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-rel-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function harness(config: Record<string, unknown>): Promise<Harness> {
  const h = await startHarness({ config });
  cleanups.push(() => h.stop());
  return h;
}

describe("TLS towards PVE", () => {
  it("verify_tls defaults to true", () => {
    const path = tempFile("config.yaml", `proxmox:\n  hosts: 192.0.2.11\n  user: x\n  password: y\n`);
    const config = loadConfig({ path, env: {} });
    expect(config.proxmox.verify_tls).toBe(true);
    expect(config.proxmox.fingerprint).toEqual([]);
  });

  it("refuses a self-signed node without fingerprint or ca_file; the error names the host and prints the fingerprint with the config line", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    const config = testConfig(sim, "mqtt://127.0.0.1:1", { proxmox: { fingerprint: undefined } });
    expect(config.proxmox.fingerprint).toEqual([]);
    const bridge = new Bridge({ config, log: silentLogger() });
    cleanups.push(() => bridge.stop());
    // A configuration problem: start-up fails at once (the CLI logs it and exits non-zero) rather than retrying.
    const error = await bridge.start().then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(PveTlsError);
    const message = (error as Error).message;
    expect(message).toContain(sim.urls[0]!.replace("https://", ""));
    expect(message).toContain(`fingerprint: "${sim.fingerprint}"`);
    expect(message).toMatch(/ca_file/);
    // Refused at the handshake: not one HTTP request (no password) reached the node.
    expect(sim.requests).toEqual([]);
  });

  it("accepts the node with its fingerprint pinned", async () => {
    const h = await harness({});
    expect(h.config.proxmox.fingerprint).toEqual([h.sim.fingerprint]);
    expect(h.bridge.info.last_poll_result).toBe("ok");
  });

  it("accepts the node with ca_file (its certificate as the CA)", async () => {
    const ca = tempFile("pve-root-ca.pem", "");
    const h = await startHarness({
      config: { proxmox: { fingerprint: undefined, ca_file: ca } },
      beforeBridge: (sim) => writeFileSync(ca, sim.certPem),
    });
    cleanups.push(() => h.stop());
    expect(h.config.proxmox.fingerprint).toEqual([]);
    expect(h.bridge.info.last_poll_result).toBe("ok");
  });

  it("accepts the node with verify_tls: false", async () => {
    const h = await harness({ proxmox: { fingerprint: undefined, verify_tls: false } });
    expect(h.config.proxmox.verify_tls).toBe(false);
    expect(h.bridge.info.last_poll_result).toBe("ok");
  });

  it("verify_tls: false logs a warning when the daemon starts", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    cleanups.push(() => broker.close());
    let output = "";
    const child = spawn(process.execPath, [CLI, "run"], {
      env: {
        PATH: process.env.PATH ?? "",
        PVE2MQTT_PROXMOX__HOSTS: sim.urls.join(","),
        PVE2MQTT_PROXMOX__USER: SIM_USER,
        PVE2MQTT_PROXMOX__PASSWORD: SIM_PASSWORD,
        PVE2MQTT_PROXMOX__VERIFY_TLS: "false",
        PVE2MQTT_MQTT__URL: broker.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    });
    child.stdout.on("data", (chunk) => (output += String(chunk)));
    child.stderr.on("data", (chunk) => (output += String(chunk)));
    const deadline = Date.now() + 15_000;
    while (!/bridge online/.test(output) && Date.now() < deadline) await sleep(50);
    child.kill("SIGTERM");
    await exited;
    const warning = output.split("\n").find((line) => line.includes("verify_tls is false"));
    expect(warning, output).toBeDefined();
    expect((JSON.parse(warning!) as { level: number }).level).toBe(40);
    expect(output).toMatch(/bridge online/);
    expect(output).not.toContain(SIM_PASSWORD);
  });
});

describe("the embedded broker", () => {
  it("binds 127.0.0.1 by default", async () => {
    const path = tempFile("config.yaml", `proxmox:\n  hosts: 192.0.2.11\n  user: x\n  password: y\n`);
    expect(loadConfig({ path, env: {} }).embedded_broker.host).toBe("127.0.0.1");
    const h = await startHarness({ broker: "embedded-by-bridge", config: { embedded_broker: { host: undefined } } });
    cleanups.push(() => h.stop());
    expect(h.config.embedded_broker.host).toBe("127.0.0.1");
    expect(h.bridge.brokerUrl).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
  });

  it("warns when it would listen beyond loopback without credentials (checked without listening there)", () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.10", "broker.lan"]) expect(exposureWarning(host, false)).toMatch(/username and password/);
    for (const host of ["0.0.0.0", "192.168.1.10"]) expect(exposureWarning(host, true)).toBeUndefined();
    for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1"]) expect(exposureWarning(host, false)).toBeUndefined();
  });
});
