import { expect, it } from "vitest";
import { captureLog } from "./log-capture.js";
import { clientFor, startSim } from "./harness.js";

it("no password, ticket, CSRF token or token secret in any log line or error of a full session", async () => {
  let now = Date.now();
  const password = "s3cret-Passw0rd";
  const tokenSecret = "9f8e7d6c-5b4a-3210-fedc-ba9876543210";
  const sim = await startSim({
    hosts: 2,
    now: () => now,
    users: { "root@pam": "rootpass", "pve2mqtt@pve": password },
    tokens: { "pve2mqtt@pve!bridge": { secret: tokenSecret } },
  });
  const capture = captureLog("debug");
  const client = clientFor(sim, { auth: { kind: "password", user: "pve2mqtt@pve", password }, now: () => now, log: capture.log });
  const errors: string[] = [];
  const keep = (error: unknown) => errors.push(error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error));

  const loginBodies = () => sim.requests.filter((request) => request.path === "/access/ticket");
  await client.version();
  await client.guestPower("qemu", "pve1", 100, "suspend").catch(keep);
  now += 61 * 60_000; // renewal
  await client.clusterResources();
  sim.revokeTickets(); // 401 → new login
  await client.guestPower("qemu", "pve1", 100, "resume").catch(keep);
  await sim.setHostDown(0, true); // failover
  await client.snapshot("qemu", "pve1", 100, { snapname: "1 bad" }).catch(keep);
  await client.nodeStatus("nope").catch(keep);

  const wrong = clientFor(sim, { auth: { kind: "password", user: "pve2mqtt@pve", password: `${password}-wrong` }, log: capture.log });
  await wrong.version().catch(keep);
  const token = clientFor(sim, { auth: { kind: "token", tokenId: "pve2mqtt@pve!bridge", secret: tokenSecret }, log: capture.log });
  await token.guestPower("qemu", "pve1", 101, "suspend");
  const badToken = clientFor(sim, { auth: { kind: "token", tokenId: "pve2mqtt@pve!bridge", secret: `${tokenSecret}0` }, log: capture.log });
  await badToken.version().catch(keep);

  expect(loginBodies().length).toBeGreaterThanOrEqual(3);
  expect(errors.length).toBeGreaterThanOrEqual(4);
  expect(capture.messages(20).length).toBeGreaterThan(5);

  const everything = `${capture.text()}\n${errors.join("\n")}`;
  for (const secret of [password, tokenSecret]) expect(everything).not.toContain(secret);
  // Tickets and CSRF tokens have fixed shapes (the patterns are checked against samples first).
  const ticketShape = /PVE:[^:\s"]+:[0-9A-F]{8}::/;
  const csrfShape = /[0-9A-F]{8}:[A-Za-z0-9+/]{43}/;
  expect("PVE:pve2mqtt@pve:66A0F00D::c2lnbmF0dXJl").toMatch(ticketShape);
  expect(`66A0F00D:${"a".repeat(43)}`).toMatch(csrfShape);
  expect(everything).not.toMatch(ticketShape);
  expect(everything).not.toMatch(csrfShape);
  expect(everything).not.toContain("PVEAPIToken");
  expect(errors.some((message) => message.includes("authentication failure for pve2mqtt@pve"))).toBe(true);
});
