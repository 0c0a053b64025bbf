import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PveSimulator } from "../../src/sim/index.js";
import { TestClient } from "./client.js";

describe("authentication like PVE 8.2", () => {
  let clock = Date.UTC(2025, 0, 15, 12, 0, 0);
  let sim: PveSimulator;
  let client: TestClient;

  beforeAll(async () => {
    sim = await PveSimulator.start({
      hosts: 2,
      authFailureDelayMs: 150,
      taskDurationMs: 50,
      now: () => clock,
      tfaUsers: ["tfa@pve"],
      users: { "root@pam": "rootpass", "pve2mqtt@pve": "secret-password", "tfa@pve": "tfapass" },
      tokens: {
        "pve2mqtt@pve!bridge": { secret: "6f1e0c52-3c8e-4a2b-9d43-2f7d1c6b9a10" },
        "audit@pve!empty": { secret: "0b5d4a2e-1111-2222-3333-444455556666", emptyAcl: true },
      },
    });
    client = new TestClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });
  afterEach(() => {
    sim.clearFaults();
  });

  it("answers a wrong password with 401 'authentication failure' in the reason phrase, body {data:null}, no sooner than the delay", async () => {
    const began = Date.now();
    const reply = await client.call("POST", "/access/ticket", { form: { username: "root@pam", password: "wrong" } });
    expect(Date.now() - began).toBeGreaterThanOrEqual(140);
    expect(reply.status).toBe(401);
    expect(reply.reason).toBe("authentication failure");
    expect(reply.json).toEqual({ data: null });
  });

  it("appends realm to username, so user@pve plus realm=pve fails", async () => {
    const ok = await client.call("POST", "/access/ticket", { form: { username: "pve2mqtt", realm: "pve", password: "secret-password" } });
    expect(ok.status).toBe(200);
    expect(ok.json.data.username).toBe("pve2mqtt@pve");
    expect(ok.json.data.ticket).toMatch(/^PVE:pve2mqtt@pve:[0-9A-F]{8}::[A-Za-z0-9+/=]+$/);
    expect(ok.json.data.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:[A-Za-z0-9+/]{43}$/);
    expect(ok.json.data.clustername).toBe("homelab");
    expect(ok.json.data.cap.vms["VM.PowerMgmt"]).toBe(1);
    const doubled = await client.call("POST", "/access/ticket", { form: { username: "pve2mqtt@pve", realm: "pve", password: "secret-password" } });
    expect(doubled.status).toBe(401);
  });

  it("records requests with the password redacted", async () => {
    sim.clearRequests();
    await client.call("POST", "/access/ticket", { form: { username: "root@pam", password: "rootpass" } });
    expect(sim.requests).toHaveLength(1);
    expect(sim.requests[0]).toMatchObject({ method: "POST", path: "/access/ticket", status: 200, auth: "none", body: { username: "root@pam", password: "<redacted>" } });
  });

  it("refuses calls without a ticket, with a bad ticket, and writes without a CSRF token", async () => {
    const none = await client.call("GET", "/version");
    expect([none.status, none.reason]).toEqual([401, "No ticket"]);
    const bad = await client.call("GET", "/version", { ticket: "PVE:root@pam:00000000::Zm9v" });
    expect([bad.status, bad.reason]).toEqual([401, "permission denied - invalid PVE ticket"]);
    const session = await client.login();
    const noCsrf = await client.call("POST", "/nodes/pve1/qemu/100/status/reboot", { ticket: session.ticket });
    expect([noCsrf.status, noCsrf.reason, noCsrf.json]).toEqual([401, "Permission denied - invalid csrf token", { data: null }]);
    const recorded = sim.requests.at(-1)!;
    expect(recorded).toMatchObject({ status: 401, auth: "ticket", csrf: false });
    const version = await session.get("/version");
    expect(version.json.data).toEqual({ version: "8.2.4", release: "8.2", repoid: "faa83925c9641325" });
  });

  it("accepts a ticket on every host and in an Authorization header", async () => {
    const session = await client.login();
    expect((await session.get("/cluster/status", undefined, 1)).status).toBe(200);
    const viaHeader = await client.call("GET", "/version", {});
    expect(viaHeader.status).toBe(401);
    const { Agent, fetch } = await import("undici");
    const agent = new Agent({ connect: { ca: sim.certPem } });
    const response = await fetch(`${sim.urls[1]}/api2/json/version`, { headers: { authorization: `PVEAuthCookie=${session.ticket}` }, dispatcher: agent });
    expect(response.status).toBe(200);
    await agent.close();
  });

  it("expires tickets after their lifetime on the simulated clock and renews valid ones", async () => {
    const session = await client.login();
    const renewalsBefore = sim.renewCount;
    clock += 3600 * 1000;
    const renewed = await client.call("POST", "/access/ticket", { form: { username: "root@pam", password: session.ticket } });
    expect(renewed.status).toBe(200);
    expect(sim.renewCount).toBe(renewalsBefore + 1);
    expect(renewed.json.data.ticket).not.toBe(session.ticket);
    clock += 3601 * 1000;
    const expired = await session.get("/version");
    expect([expired.status, expired.reason]).toEqual([401, "permission denied - invalid PVE ticket"]);
    const fresh = await client.call("GET", "/version", { ticket: renewed.json.data.ticket });
    expect(fresh.status).toBe(200);
    const lateRenewal = await client.call("POST", "/access/ticket", { form: { username: "root@pam", password: session.ticket } });
    expect(lateRenewal.status).toBe(401);
  });

  it("revokes every ticket issued so far", async () => {
    const session = await client.login();
    sim.revokeTickets();
    const reply = await session.get("/version");
    expect([reply.status, reply.reason]).toEqual([401, "permission denied - invalid PVE ticket"]);
    expect((await (await client.login()).get("/version")).status).toBe(200);
  });

  it("answers TFA users with NeedTFA and a half ticket that opens nothing", async () => {
    const reply = await client.call("POST", "/access/ticket", { form: { username: "tfa@pve", password: "tfapass" } });
    expect(reply.json.data.NeedTFA).toBe(1);
    expect(reply.json.data.ticket).toMatch(/^PVE:!tfa!/);
    expect(reply.json.data.cap).toBeUndefined();
    const use = await client.call("GET", "/version", { ticket: reply.json.data.ticket });
    expect(use.status).toBe(401);
  });

  it("authenticates API tokens without CSRF and refuses wrong secrets and ticket creation", async () => {
    const token = "pve2mqtt@pve!bridge=6f1e0c52-3c8e-4a2b-9d43-2f7d1c6b9a10";
    const write = await client.call("POST", "/nodes/pve1/qemu/101/status/reboot", { token });
    expect(write.status).toBe(200);
    expect(write.json.data).toMatch(/:qmreboot:101:pve2mqtt@pve!bridge:$/);
    const wrong = await client.call("GET", "/version", { token: "pve2mqtt@pve!bridge=nope" });
    expect([wrong.status, wrong.reason]).toEqual([401, "invalid token value!"]);
    const ticket = await client.call("POST", "/access/ticket", { token, form: { username: "pve2mqtt@pve", password: "secret-password" } });
    expect(ticket.status).toBe(401);
  });

  it("gives a token without ACL empty permissions and node rows without stats", async () => {
    const token = "audit@pve!empty=0b5d4a2e-1111-2222-3333-444455556666";
    const permissions = await client.call("GET", "/access/permissions", { token });
    expect(permissions.json.data).toEqual({});
    const resources = await client.call("GET", "/cluster/resources", { token });
    expect(resources.json.data).toEqual([
      { id: "node/pve1", type: "node", node: "pve1", status: "online" },
      { id: "node/pve2", type: "node", node: "pve2", status: "online" },
      { id: "node/pve3", type: "node", node: "pve3", status: "online" },
    ]);
    const status = await client.call("GET", "/cluster/status", { token });
    expect(status.status).toBe(403);
  });
});
