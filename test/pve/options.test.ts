import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { silentLogger } from "../../src/log.js";
import { PveClosedError } from "../../src/pve/errors.js";
import { clientOptionsFromConfig } from "../../src/pve/options.js";
import { waitFor } from "../mqtt/helpers.js";
import { clientFor, hostsOf, requestsTo, startSim } from "./harness.js";

function config(proxmox: Partial<Config["proxmox"]>): Config {
  return {
    proxmox: {
      hosts: [{ host: "pve.lan", port: 8006, origin: "https://pve.lan:8006" }],
      user: "pve2mqtt@pve",
      auth: { kind: "password", password: "pw" },
      verify_tls: true,
      fingerprint: [],
      timeout: 7,
      ...proxmox,
    },
  } as unknown as Config;
}

describe("clientOptionsFromConfig", () => {
  it("maps password auth, TLS settings and the timeout in ms", () => {
    const log = silentLogger();
    const options = clientOptionsFromConfig(config({ fingerprint: ["AB:CD"] }), log, { retryBaseMs: 1 });
    expect(options).toMatchObject({
      hosts: [{ origin: "https://pve.lan:8006" }],
      auth: { kind: "password", user: "pve2mqtt@pve", password: "pw" },
      verifyTls: true,
      fingerprints: ["AB:CD"],
      timeoutMs: 7000,
      retryBaseMs: 1,
    });
    expect(options.caPem).toBeUndefined();
  });

  it("maps token auth", () => {
    const options = clientOptionsFromConfig(config({ auth: { kind: "token", tokenId: "a@pve!b", secret: "s" } }), silentLogger());
    expect(options.auth).toEqual({ kind: "token", tokenId: "a@pve!b", secret: "s" });
  });

  it("reads ca_file, and a CA read this way verifies the simulator", async () => {
    const sim = await startSim({ hosts: 1 });
    const dir = mkdtempSync(join(tmpdir(), "pve-ca-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const caFile = join(dir, "ca.pem");
    writeFileSync(caFile, sim.certPem);
    const options = clientOptionsFromConfig(config({ ca_file: caFile, hosts: hostsOf(sim) }), silentLogger());
    expect(options.caPem).toBe(sim.certPem);
    const client = clientFor(sim, { ...options, auth: { kind: "password", user: "root@pam", password: "rootpass" }, fingerprints: [] });
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
  });

  it("an unreadable ca_file says which file and what to give", () => {
    expect(() => clientOptionsFromConfig(config({ ca_file: "/nonexistent/ca.pem" }), silentLogger())).toThrow(
      /cannot read proxmox\.ca_file \/nonexistent\/ca\.pem/,
    );
  });
});

describe("close", () => {
  it("releases a request waiting between GET retries (with the last answer) instead of waiting a minute", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { retryBaseMs: 60_000 });
    await client.version();
    sim.injectFault({ path: "/version", kind: "status", status: 503 });
    const pending = client.version().catch((error: unknown) => error);
    await waitFor(() => requestsTo(sim, "/version").at(-1)?.status === 503, "the 503 answer");
    // That answer is already on the client's socket: the event loop's next I/O phase reads it, before this resolves.
    await new Promise((resolve) => setImmediate(resolve));
    await client.close();
    expect(await pending).toMatchObject({ name: "PveHttpError", status: 503 });
    await expect(client.version()).rejects.toBeInstanceOf(PveClosedError);
  });

  it("releases a request that hangs", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { timeoutMs: 20_000 });
    await client.version();
    sim.injectFault({ path: "/version", kind: "hang" });
    const pending = client.version().catch((error: unknown) => error);
    await waitFor(() => requestsTo(sim, "/version").length === 2, "the hanging request to reach PVE");
    await client.close();
    expect(await pending).toBeInstanceOf(PveClosedError);
  });
});
