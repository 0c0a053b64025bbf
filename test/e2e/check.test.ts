import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "../../src/check.js";
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
  const lines: string[] = [];
  const code = await runCheck(loadConfig({ path, env: {} }), (line) => lines.push(line));
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
