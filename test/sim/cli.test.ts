import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Agent, fetch } from "undici";
import { describe, expect, it } from "vitest";
import { waitFor } from "../mqtt/helpers.js";

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

  it("lists guests, starts a scheduled backup job and a guest from outside, reports their tasks, and answers an error line when it refuses", async () => {
    const child = spawn(process.execPath, [cli, "--nodes", "2", "--guests", "20", "--task-ms", "50"], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const ask = async (command: Record<string, unknown>): Promise<any> => {
      child.stdin!.write(`${JSON.stringify(command)}\n`);
      return JSON.parse((await lines.next()).value as string);
    };
    try {
      await lines.next();
      const { guests } = await ask({ cmd: "guests" });
      expect(guests).toHaveLength(20);
      expect(guests[0]).toEqual({ vmid: 100, kind: expect.stringMatching(/^(qemu|lxc)$/), node: "pve1", status: expect.any(String), template: false, agent: expect.any(Boolean) });
      const onPve1 = guests.filter((guest: { node: string; template: boolean }) => guest.node === "pve1" && !guest.template).map((guest: { vmid: number }) => guest.vmid).slice(0, 2);
      const backup = await ask({ cmd: "backup", node: "pve1", vmids: onPve1, storage: "nas" });
      expect(backup.upid).toMatch(/^UPID:pve1:.*:vzdump::root@pam:$/);
      const stopped = guests.find((guest: { status: string; template: boolean }) => guest.status === "stopped" && !guest.template);
      const start = await ask({ cmd: "startGuest", vmid: stopped.vmid });
      expect(start.upid).toContain(`start:${stopped.vmid}:root@pam:`);
      expect(await ask({ cmd: "task", upid: start.upid })).toEqual({ lines: 0, ended: false });
      // the job: two guests of 50 ms each; the start: 50 ms
      await waitFor(async () => (await ask({ cmd: "task", upid: backup.upid })).ended && (await ask({ cmd: "task", upid: start.upid })).ended, "the job and the start to end");
      expect((await ask({ cmd: "task", upid: backup.upid })).lines).toBeGreaterThan(0);
      expect((await ask({ cmd: "guests" })).guests.find((guest: { vmid: number }) => guest.vmid === stopped.vmid).status).toBe("running");

      expect(await ask({ cmd: "startGuest", vmid: stopped.vmid })).toEqual({ error: `Guest ${stopped.vmid} already runs.` });
      expect(await ask({ cmd: "backup", node: "pve1", vmids: [onPve1[0]], storage: "tape" })).toEqual({ error: 'The simulator has no storage "tape".' });
      expect(await ask({ cmd: "task", upid: "UPID:nope" })).toEqual({ error: "The simulator has no task UPID:nope." });
      // still answering in order after the refusals
      expect((await ask({ cmd: "stats" })).requests).toBe(0);
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  });
});
