import { describe, expect, it } from "vitest";
import { PveTlsError } from "../../src/pve/errors.js";
import { clientFor, requestsTo, startSim } from "./harness.js";

const OTHER = Array.from({ length: 32 }, () => "AB").join(":");

describe("TLS", () => {
  it("accepts a self-signed certificate whose fingerprint is pinned (any of several, any case)", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { fingerprints: [OTHER, sim.fingerprint.toLowerCase()] });
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
  });

  it("refuses a certificate that matches no pin, before sending anything", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { fingerprints: [OTHER] });
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveTlsError);
    expect((error as PveTlsError).fingerprint).toBe(sim.fingerprint);
    expect(sim.requests).toHaveLength(0);
  });

  it("verifies by default: an untrusted certificate names the host, its fingerprint and the config line", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { fingerprints: [] });
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveTlsError);
    const message = (error as Error).message;
    expect(message).toContain(sim.urls[0]!);
    expect(message).toContain(`fingerprint: "${sim.fingerprint}"`);
    expect(sim.requests).toHaveLength(0);
  });

  it("verifies against a given CA", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { fingerprints: [], caPem: sim.certPem });
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
  });

  it("verifyTls false accepts any certificate", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim, { fingerprints: [], verifyTls: false });
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
  });

  it("a TLS error counts as unreachable: every host is tried and put aside", async () => {
    const sim = await startSim({ hosts: 2 });
    const client = clientFor(sim, { fingerprints: [OTHER] });
    await expect(client.version()).rejects.toBeInstanceOf(PveTlsError);
    const health = client.hosts();
    expect(health.map((host) => host.state)).toEqual(["down", "down"]);
    expect(health[0]!.lastError).toContain(sim.fingerprint);
    expect(requestsTo(sim, "/access/ticket")).toHaveLength(0);
  });
});
