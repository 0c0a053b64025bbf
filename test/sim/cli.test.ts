import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Agent, fetch } from "undici";
import { describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../../dist/sim/cli.js", import.meta.url));

describe("sim cli (built by the global setup)", () => {
  it("prints urls, fingerprint and users, obeys stats and clock commands, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [cli, "--nodes", "2", "--guests", "40", "--hosts", "2"], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    try {
      const info = JSON.parse((await lines.next()).value as string);
      expect(info.urls).toHaveLength(2);
      expect(info.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(info.users["root@pam"]).toBe("rootpass");

      const agent = new Agent({ connect: { ca: undefined, rejectUnauthorized: false } });
      const login = await fetch(`${info.urls[1]}/api2/json/access/ticket`, { method: "POST", body: new URLSearchParams({ username: "root@pam", password: "rootpass" }), dispatcher: agent });
      const { data } = (await login.json()) as { data: { ticket: string } };
      const resources = await fetch(`${info.urls[0]}/api2/json/cluster/resources?type=vm`, { headers: { cookie: `PVEAuthCookie=${encodeURIComponent(data.ticket)}` }, dispatcher: agent });
      expect(((await resources.json()) as { data: unknown[] }).data).toHaveLength(40);

      child.stdin!.write('{"cmd":"stats"}\n');
      const stats = JSON.parse((await lines.next()).value as string);
      expect(stats).toMatchObject({ requests: 2, logins: 1, renewals: 0 });
      expect(stats.byPath["GET /cluster/resources"]).toBe(1);

      child.stdin!.write('{"cmd":"clock","offsetMs":7300000}\n{"cmd":"clearRequests"}\n{"cmd":"stats"}\n');
      expect(JSON.parse((await lines.next()).value as string).requests).toBe(0);
      const expired = await fetch(`${info.urls[0]}/api2/json/version`, { headers: { cookie: `PVEAuthCookie=${encodeURIComponent(data.ticket)}` }, dispatcher: agent });
      expect(expired.status).toBe(401);
      await agent.destroy();
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });
});
