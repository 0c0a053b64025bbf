#!/usr/bin/env node
/**
 * Runs a simulator in its own process (the benchmark does, and anyone trying pve2mqtt without a
 * cluster): prints one JSON line with its urls, fingerprint and users, then obeys JSON-line
 * commands on stdin until SIGTERM/SIGINT.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { z } from "zod";
import { certificateInDir } from "./certificate.js";
import { PveSimulator } from "./simulator.js";

const USAGE = `node dist/sim/cli.js [options] — a simulated Proxmox VE 8 cluster (HTTPS API on 127.0.0.1)

Options:
  --nodes N            nodes in the cluster (default 3: pve1, pve2, pve3)
  --guests N           N generated VMs and containers (default: the demo's 11 guests and a template)
  --hosts N            API endpoints, one per node like pveproxy, for failover (default 1)
  --port N             port of the first host, the next hosts on the ports after it (default 0: free ports)
  --cert-dir DIR       keep the TLS key and certificate in DIR (made on first use): a restart keeps
                       the fingerprint, so a bridge that pinned it reconnects
  --animate            move CPU, memory, network and disk figures every 10 s, like a live cluster
  --task-ms N          how long a task (start, stop, snapshot, backup…) runs, in ms (default 1500)
  --ticket-lifetime N  login ticket lifetime in seconds (default 7200, as PVE)
  -h, --help           this help

Prints one JSON line: {"urls": [...], "fingerprint": "AB:CD:…", "users": {"user@realm": "password"}}.
Then reads JSON commands on stdin, one per line, e.g.
  {"cmd":"hostDown","host":0,"down":true}   host 0 refuses connections until {"…","down":false}
  {"cmd":"freeze","value":true}            figures stop moving ({"cmd":"advance","ms":10000} moves them once)
  {"cmd":"clock","offsetMs":7300000}       shift the simulator's clock (tickets expire)
  {"cmd":"stats"}                          requests, logins, renewals, TLS connections accepted and
                                           the simulator's CPU (µs) so far, as one JSON line
  {"cmd":"closeIdle"}                      close idle connections (PVE's proxy does after ~5 s)
  {"cmd":"requests","method":"POST"}       the logged requests (all methods without "method")
  {"cmd":"clearRequests"}
  {"cmd":"guests"}                         every guest in brief: {"guests":[{"vmid","kind","node","status","template","agent"}]}
  {"cmd":"backup","node":"pve1","vmids":[100,103],"storage":"nas"}
                                           a backup job as PVE's scheduler runs it (root@pam): {"upid":"UPID:…"}
  {"cmd":"startGuest","vmid":105}          a guest started outside the API (qm start on the node): {"upid":"UPID:…"}
  {"cmd":"task","upid":"UPID:…"}           how far a task got: {"lines":12,"ended":false}
  The last four answer {"error":"…"} when the simulator refuses.
Ctrl+C (SIGINT) or SIGTERM stops it; start it again with the same --port and --cert-dir to
simulate a PVE restart.`;

const CommandSchema = z.discriminatedUnion("cmd", [
  z.object({ cmd: z.literal("freeze"), value: z.boolean() }),
  z.object({ cmd: z.literal("advance"), ms: z.number().nonnegative() }),
  z.object({ cmd: z.literal("clock"), offsetMs: z.number() }),
  z.object({ cmd: z.literal("stats") }),
  z.object({ cmd: z.literal("clearRequests") }),
  /** Closes idle connections, as PVE's proxy does after ~5 s: a poll 30 s later opens new ones. */
  z.object({ cmd: z.literal("closeIdle") }),
  z.object({ cmd: z.literal("hostDown"), host: z.number().int().nonnegative(), down: z.boolean() }),
  /** The logged requests themselves (optionally one method's): what the benchmark replays and times. */
  z.object({ cmd: z.literal("requests"), method: z.string().optional() }),
  z.object({ cmd: z.literal("guests") }),
  z.object({
    cmd: z.literal("backup"),
    node: z.string(),
    vmids: z.array(z.number().int()).optional(),
    storage: z.string(),
    mode: z.enum(["snapshot", "suspend", "stop"]).optional(),
    compress: z.string().optional(),
  }),
  z.object({ cmd: z.literal("startGuest"), vmid: z.number().int(), user: z.string().optional() }),
  z.object({ cmd: z.literal("task"), upid: z.string() }),
]);

/** Answers one line: the command's result, or {"error"} when the simulator refuses it (the asker waits for a line either way). */
function answer(run: () => unknown): void {
  let reply: unknown;
  try {
    reply = run();
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}".`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      help: { type: "boolean", short: "h" },
      port: { type: "string" },
      "cert-dir": { type: "string" },
      nodes: { type: "string" },
      guests: { type: "string" },
      hosts: { type: "string" },
      animate: { type: "boolean", default: false },
      "task-ms": { type: "string" },
      "ticket-lifetime": { type: "string" },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = positiveInt(values.port, "port", 0);
  if (port > 65535) throw new Error(`--port must be at most 65535, got "${values.port}".`);
  let clockOffsetMs = 0;
  const sim = await PveSimulator.start({
    port,
    ...(values["cert-dir"] !== undefined ? { certificate: await certificateInDir(values["cert-dir"]) } : {}),
    nodes: positiveInt(values.nodes, "nodes", 3),
    ...(values.guests !== undefined ? { guests: positiveInt(values.guests, "guests", 12) } : {}),
    hosts: positiveInt(values.hosts, "hosts", 1),
    animate: values.animate ?? false,
    ...(values["task-ms"] !== undefined ? { taskDurationMs: positiveInt(values["task-ms"], "task-ms", 1500) } : {}),
    ...(values["ticket-lifetime"] !== undefined ? { ticketLifetimeSec: positiveInt(values["ticket-lifetime"], "ticket-lifetime", 7200) } : {}),
    now: () => Date.now() + clockOffsetMs,
  });
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    let command: z.infer<typeof CommandSchema>;
    try {
      command = CommandSchema.parse(JSON.parse(line));
    } catch (error) {
      process.stderr.write(`ignored control line (expected e.g. {"cmd":"stats"}): ${error instanceof z.ZodError ? z.prettifyError(error).replace(/\n/g, " ") : String(error)}\n`);
      return;
    }
    switch (command.cmd) {
      case "freeze":
        sim.freeze(command.value);
        break;
      case "advance":
        sim.advance(command.ms);
        break;
      case "clock":
        clockOffsetMs = command.offsetMs;
        break;
      case "clearRequests":
        sim.clearRequests();
        break;
      case "closeIdle":
        sim.closeIdleConnections();
        break;
      case "hostDown":
        sim.setHostDown(command.host, command.down).catch((error: unknown) => {
          process.stderr.write(`hostDown: ${error instanceof Error ? error.message : String(error)}\n`);
        });
        break;
      case "stats": {
        const byPath: Record<string, number> = {};
        const byStatus: Record<string, number> = {};
        let failed = 0;
        for (const request of sim.requests) {
          const key = `${request.method} ${request.path}`;
          byPath[key] = (byPath[key] ?? 0) + 1;
          byStatus[request.status] = (byStatus[request.status] ?? 0) + 1;
          if (request.status >= 400) failed++;
        }
        const cpu = process.cpuUsage();
        const stats = { requests: sim.requests.length, logins: sim.loginCount, renewals: sim.renewCount, failed, byStatus, byPath, tlsConnections: sim.tlsConnections, cpuMicros: cpu.user + cpu.system };
        process.stdout.write(`${JSON.stringify(stats)}\n`);
        break;
      }
      case "guests":
        answer(() => ({ guests: sim.guestSummaries() }));
        break;
      case "backup": {
        const { cmd: _, ...job } = command;
        answer(() => ({ upid: sim.startScheduledBackup(job) }));
        break;
      }
      case "startGuest":
        answer(() => ({ upid: sim.startGuest(command.vmid, command.user) }));
        break;
      case "task":
        answer(() => sim.taskProgress(command.upid) ?? { error: `The simulator has no task ${command.upid}.` });
        break;
      case "requests": {
        const wanted = command.method?.toUpperCase();
        const requests = sim.requests
          .filter((request) => wanted === undefined || request.method === wanted)
          .map(({ method, path, query, status, at }) => ({ method, path, query, status, at }));
        process.stdout.write(`${JSON.stringify({ requests })}\n`);
        break;
      }
    }
  });

  const shutdown = (): void => {
    lines.close();
    void sim.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
  // Only now: whoever reads this line may signal at once, and must find the handlers in place.
  process.stdout.write(`${JSON.stringify({ urls: sim.urls, fingerprint: sim.fingerprint, users: sim.users })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`pve simulator: ${error instanceof Error ? error.message : String(error)}\nRun with --help for the options.\n`);
  process.exit(1);
});
