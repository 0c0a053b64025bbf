import { describe, expect, it } from "vitest";
import { PveAuthError } from "../../src/pve/errors.js";
import { clientFor, requestsTo, startSim } from "./harness.js";

describe("password session", () => {
  it("logs in with username and password in the form body, never the URL, and no realm", async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await client.version();
    const logins = requestsTo(sim, "/access/ticket", "POST");
    expect(logins).toHaveLength(1);
    // The simulator records the password redacted; what matters is where it went and that no realm came along.
    expect(Object.keys(logins[0]!.body).sort()).toEqual(["password", "username"]);
    expect(logins[0]!.body.username).toBe("root@pam");
    expect(logins[0]!.query).toEqual({});
    expect(logins[0]!.status).toBe(200);
  });

  it("sends the ticket cookie on every call and the CSRF header on writes", async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await client.version();
    await client.guestPower("qemu", "pve1", 100, "suspend");
    const version = requestsTo(sim, "/version")[0]!;
    expect(version).toMatchObject({ auth: "ticket", status: 200 });
    const write = requestsTo(sim, "/nodes/pve1/qemu/100/status/suspend", "POST")[0]!;
    expect(write).toMatchObject({ auth: "ticket", csrf: true, status: 200 });
  });

  it("five parallel first calls share one login", async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await Promise.all([client.version(), client.clusterStatus(), client.clusterResources(), client.version(), client.permissions()]);
    expect(requestsTo(sim, "/access/ticket", "POST")).toHaveLength(1);
    expect(sim.loginCount).toBe(1);
  });

  it("renews lazily after half the ticket lifetime by posting the ticket as the password", async () => {
    let now = Date.now();
    const sim = await startSim({ now: () => now });
    const client = clientFor(sim, { now: () => now });
    await client.version();
    now += 59 * 60_000;
    await client.version();
    expect(sim.renewCount).toBe(0);
    now += 2 * 60_000;
    await client.version();
    expect(sim.renewCount).toBe(1);
    expect(sim.loginCount).toBe(1);
    const renewal = requestsTo(sim, "/access/ticket", "POST")[1]!;
    expect(renewal.body.username).toBe("root@pam");
    expect(Object.keys(renewal.body).sort()).toEqual(["password", "username"]);
    // The renewed ticket works past the first one's 2 h lifetime, without a new password login.
    now += 70 * 60_000;
    await client.version();
    expect(sim.loginCount).toBe(1);
  });

  it("after a 401 logs in again once and repeats the read", async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await client.version();
    sim.revokeTickets();
    sim.clearRequests();
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
    expect(requestsTo(sim, "/version").map((request) => request.status)).toEqual([401, 200]);
    expect(requestsTo(sim, "/access/ticket", "POST")).toHaveLength(1);
  });

  it("repeats a POST refused with 401 once (PVE ran nothing), starting exactly one task", async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await client.version();
    sim.revokeTickets();
    sim.clearRequests();
    const upid = await client.guestPower("qemu", "pve1", 100, "suspend");
    expect(upid).toMatch(/^UPID:pve1:/);
    expect(requestsTo(sim, "/nodes/pve1/qemu/100/status/suspend", "POST").map((request) => request.status)).toEqual([401, 200]);
  });

  it("parallel 401s share one new login", async () => {
    const sim = await startSim();
    const client = clientFor(sim);
    await client.version();
    sim.revokeTickets();
    sim.clearRequests();
    await Promise.all([client.version(), client.clusterResources(), client.clusterStatus()]);
    expect(requestsTo(sim, "/access/ticket", "POST")).toHaveLength(1);
  });

  it("wrong credentials: PveAuthError that says what to check, without the password", async () => {
    const sim = await startSim();
    const client = clientFor(sim, { auth: { kind: "password", user: "root@pam", password: "not-the-password" } });
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveAuthError);
    expect((error as Error).message).toBe("authentication failure for root@pam: check user, realm and password");
    expect((error as Error).message).not.toContain("not-the-password");
  });

  it("a TFA account is refused with the advice to use an API token", async () => {
    const sim = await startSim({ users: { "tfa@pve": "tfapass" }, tfaUsers: ["tfa@pve"] });
    const client = clientFor(sim, { auth: { kind: "password", user: "tfa@pve", password: "tfapass" } });
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveAuthError);
    expect((error as Error).message).toMatch(/API token/);
  });
});

describe("token session", () => {
  const tokenId = "pve2mqtt@pve!bridge";
  const secret = "0b3c2d1e-aaaa-bbbb-cccc-123456789abc";

  it("sends PVEAPIToken, never logs in and sends no CSRF header", async () => {
    const sim = await startSim({ tokens: { [tokenId]: { secret } } });
    const client = clientFor(sim, { auth: { kind: "token", tokenId, secret } });
    await client.version();
    await client.guestPower("qemu", "pve1", 100, "suspend");
    expect(sim.loginCount).toBe(0);
    expect(requestsTo(sim, "/access/ticket")).toHaveLength(0);
    expect(sim.requests.every((request) => request.auth === "token" && !request.csrf)).toBe(true);
    expect(requestsTo(sim, "/nodes/pve1/qemu/100/status/suspend")[0]!.status).toBe(200);
  });

  it("a wrong secret is a PveAuthError naming the token, not the secret", async () => {
    const sim = await startSim({ tokens: { [tokenId]: { secret } } });
    const client = clientFor(sim, { auth: { kind: "token", tokenId, secret: "11111111-2222-3333-4444-555555555555" } });
    const error = await client.version().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PveAuthError);
    expect((error as Error).message).toContain(tokenId);
    expect((error as Error).message).not.toContain("11111111-2222");
    expect(requestsTo(sim, "/version")).toHaveLength(1);
  });
});
