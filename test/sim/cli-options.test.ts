import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { connect } from "node:tls";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { certificateInDir } from "../../src/sim/index.js";

const cli = fileURLToPath(new URL("../../dist/sim/cli.js", import.meta.url));
const running: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) await stop(child);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  info: { urls: string[]; fingerprint: string; users: Record<string, string> };
  nextLine: () => Promise<string>;
}

async function startSim(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  running.push(child);
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async () => (await lines.next()).value as string;
  return { child, info: JSON.parse(await nextLine()), nextLine };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  return exited;
}

function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += String(chunk)));
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether an HTTPS server completes a TLS handshake at `url`. */
function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("sim cli options", () => {
  it("--help documents every option and exits 0", async () => {
    const { code, stdout } = await runToEnd(["--help"]);
    expect(code).toBe(0);
    for (const option of ["--nodes", "--guests", "--hosts", "--port", "--cert-dir", "--animate", "--task-ms", "--ticket-lifetime", "--help"]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('{"cmd":"hostDown"');
  });

  it("an unknown option or a bad value is named, with a pointer to --help, exit 1", async () => {
    const unknown = await runToEnd(["--bogus"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'[\s\S]*--help/);
    const bad = await runToEnd(["--port", "99999"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--port must be at most 65535/);
  });

  it("--port N serves on that port; --port 0 on a free one", async () => {
    const port = await freePort();
    const fixed = await startSim(["--port", String(port)]);
    expect(fixed.info.urls).toEqual([`https://127.0.0.1:${port}`]);
    expect(await reachable(fixed.info.urls[0]!)).toBe(true);
    const free = await startSim(["--port", "0"]);
    expect(free.info.urls[0]).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(free.info.urls[0]).not.toBe(fixed.info.urls[0]);
  });

  it("--cert-dir keeps the certificate across a restart, so the fingerprint and url stay the same", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-simcert-"));
    dirs.push(dir);
    const certDir = join(dir, "cert"); // made on first use
    const port = await freePort();
    const first = await startSim(["--port", String(port), "--cert-dir", certDir]);
    expect(existsSync(join(certDir, "key.pem")) && existsSync(join(certDir, "cert.pem"))).toBe(true);
    expect(await stop(first.child)).toBe(0);
    const second = await startSim(["--port", String(port), "--cert-dir", certDir]);
    expect(second.info.fingerprint).toBe(first.info.fingerprint);
    expect(second.info.urls).toEqual(first.info.urls);
    // Without it, each process makes a certificate of its own.
    const other = await startSim([]);
    expect(other.info.fingerprint).not.toBe(first.info.fingerprint);
  });

  it("hostDown takes a host off the network and brings it back on the same port", async () => {
    const sim = await startSim(["--hosts", "2"]);
    const url = sim.info.urls[1]!;
    sim.child.stdin!.write('{"cmd":"hostDown","host":1,"down":true}\n');
    await expect.poll(() => reachable(url), { timeout: 5000 }).toBe(false);
    expect(await reachable(sim.info.urls[0]!)).toBe(true);
    sim.child.stdin!.write('{"cmd":"hostDown","host":1,"down":false}\n');
    await expect.poll(() => reachable(url), { timeout: 5000 }).toBe(true);
  });
});

describe("certificateInDir", () => {
  it("refuses a directory with only one of the two files, or a broken certificate, naming what to do", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pve2mqtt-simcert-"));
    dirs.push(dir);
    writeFileSync(join(dir, "key.pem"), "x");
    await expect(certificateInDir(dir)).rejects.toThrow(/holds only one of key\.pem and cert\.pem/);
    writeFileSync(join(dir, "cert.pem"), "not a certificate");
    await expect(certificateInDir(dir)).rejects.toThrow(/cert\.pem is not a PEM certificate; remove/);
  });
});
