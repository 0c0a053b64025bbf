import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeResources, runCheck } from "../../src/check.js";
import { loadConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator } from "../../src/sim/index.js";
import { SIM_PASSWORD, SIM_USER } from "./harness.js";

const TOKEN_ID = "pve2mqtt@pve!bridge";
const TOKEN_SECRET = "0b4e8f6e-2d4c-4c53-9a4b-3f1c7d2e9a10";
let sim: PveSimulator;
let broker: EmbeddedBroker;

beforeAll(async () => {
  sim = await PveSimulator.start({ hosts: 2, authFailureDelayMs: 20, tokens: { [TOKEN_ID]: { secret: TOKEN_SECRET, privsep: true, emptyAcl: true } } });
  broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
});
afterAll(async () => {
  await broker?.close();
  await sim?.stop();
});

async function check(proxmox: Record<string, unknown>, mqtt: Record<string, unknown> = { url: broker.url }): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-check-"));
  const path = join(dir, "config.yaml");
  writeFileSync(path, dump({ proxmox: { hosts: sim.urls.join(","), fingerprint: sim.fingerprint, timeout: 3, ...proxmox }, mqtt }));
  const config = loadConfig({ path, env: {} });
  rmSync(dir, { recursive: true, force: true });
  const lines: string[] = [];
  const code = await runCheck(config, (line) => lines.push(line));
  return { code, output: lines.join("\n") };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("pve2mqtt check", () => {
  it("exits 0 and reports version, cluster, quorum, every host and the allowed features", async () => {
    const { code, output } = await check({ user: SIM_USER, password: SIM_PASSWORD });
    expect(code).toBe(0);
    expect(output).toContain(`${sim.urls[0]} reachable, PVE 8.2.4`);
    expect(output).toContain(`${sim.urls[1]} reachable, PVE 8.2.4`);
    expect(output).toMatch(/cluster homelab: quorate, 3\/3 nodes online/);
    expect(output).toMatch(/\/cluster\/resources: 3 nodes/);
    expect(output).toMatch(/ok\s+power/);
    expect(output).toContain("accepted the connection");
    expect(output).toMatch(/Result: OK$/);
    expect(output).not.toContain(SIM_PASSWORD);
  });

  it("still passes with one host down, and says which", async () => {
    await sim.setHostDown(1, true);
    try {
      const { code, output } = await check({ user: SIM_USER, password: SIM_PASSWORD });
      expect(code).toBe(0);
      expect(output).toMatch(new RegExp(`--\\s+${sim.urls[1]!.replace(/[.]/g, "\\.")} not usable: .*`));
    } finally {
      await sim.setHostDown(1, false);
    }
  });

  it("exits 1 when the broker refuses the connection", async () => {
    const { code, output } = await check({ user: SIM_USER, password: SIM_PASSWORD }, { url: `mqtt://127.0.0.1:${await closedPort()}` });
    expect(code).toBe(1);
    expect(output).toMatch(/FAIL MQTT broker/);
    expect(output).toMatch(/Result: FAILED$/);
  });

  it("exits 1 on wrong credentials, with PVE's answer and no secret", async () => {
    const { code, output } = await check({ user: SIM_USER, password: "wrong-password" });
    expect(code).toBe(1);
    expect(output).toMatch(/authentication failure/);
    expect(output).not.toContain("wrong-password");
  });

  it("explains the privilege-separation pitfall of a token with an empty ACL and prints the fix", async () => {
    const { code, output } = await check({ token_id: TOKEN_ID, token_secret: TOKEN_SECRET });
    expect(code).toBe(1); // /cluster/status is not readable, and no cluster_name is set
    expect(output).toMatch(/cluster_name/);
    expect(output).toContain(`pveum acl modify / --tokens '${TOKEN_ID}' --roles PVE2MQTT`);
    expect(output).not.toContain(TOKEN_SECRET);
  });
});

describe("pve2mqtt check, what it says", () => {
  it("explains why it counts more guests than the bridge publishes: templates are not devices", async () => {
    const { output } = await check({ user: SIM_USER, password: SIM_PASSWORD });
    expect(output).toContain("/cluster/resources: 3 nodes, 7 VMs, 5 containers, 9 storages; published as devices: 3 nodes, 6 VMs, 5 containers, 9 storages — not 1 template (templates are not devices)");
  });

  it("counts what the filter leaves out, and says nothing more when everything is published", () => {
    const rows = [
      { type: "node", node: "pve1" },
      { type: "node", node: "pve2" },
      { type: "qemu", node: "pve1", vmid: 100 },
      { type: "qemu", node: "pve1", vmid: 101 },
      { type: "lxc", node: "pve2", vmid: 200 },
      { type: "storage", node: "pve2", storage: "local" },
    ] as Parameters<typeof describeResources>[0];
    expect(describeResources(rows, { filter: { nodes: ["*"], exclude_vmids: [] } })).toBe("2 nodes, 2 VMs, 1 containers, 1 storages");
    expect(describeResources(rows, { filter: { nodes: ["pve1"], exclude_vmids: [101] } })).toBe(
      "2 nodes, 2 VMs, 1 containers, 1 storages; published as devices: 1 nodes, 1 VMs, 0 containers, 0 storages — not 4 left out by filter.nodes / filter.exclude_vmids",
    );
  });

  it("a host that accepts connections but never answers: says what it waits for, prints the error once, waits one timeout", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket); // accepted, never answered
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const { code, output } = await check({ hosts: `https://127.0.0.1:${port}`, user: SIM_USER, password: SIM_PASSWORD, timeout: 2 });
      const elapsed = Date.now() - started;
      expect(code).toBe(1);
      expect(output).toContain(`waiting for https://127.0.0.1:${port} to answer (timeout 2 s)…`);
      const notUsable = /not usable: (.+)/.exec(output)![1]!;
      expect(output.split(notUsable).length - 1).toBe(1); // printed once
      expect(output).toMatch(/FAIL Proxmox VE: no host usable/);
      expect(elapsed).toBeLessThan(2 * 2000 + 1500);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
