#!/usr/bin/env node
/**
 * Runs a simulator in its own process (the benchmark does): prints one JSON line with its urls,
 * fingerprint and users, then obeys JSON-line commands on stdin until SIGTERM/SIGINT.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { z } from "zod";
import { PveSimulator } from "./simulator.js";

const CommandSchema = z.discriminatedUnion("cmd", [
  z.object({ cmd: z.literal("freeze"), value: z.boolean() }),
  z.object({ cmd: z.literal("advance"), ms: z.number().nonnegative() }),
  z.object({ cmd: z.literal("clock"), offsetMs: z.number() }),
  z.object({ cmd: z.literal("stats") }),
  z.object({ cmd: z.literal("clearRequests") }),
  /** The logged requests themselves (optionally one method's): what the benchmark replays and times. */
  z.object({ cmd: z.literal("requests"), method: z.string().optional() }),
]);

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative integer, got "${value}".`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: "string" },
      guests: { type: "string" },
      hosts: { type: "string" },
      animate: { type: "boolean", default: false },
      "task-ms": { type: "string" },
      "ticket-lifetime": { type: "string" },
    },
  });
  let clockOffsetMs = 0;
  const sim = await PveSimulator.start({
    nodes: positiveInt(values.nodes, "nodes", 3),
    ...(values.guests !== undefined ? { guests: positiveInt(values.guests, "guests", 12) } : {}),
    hosts: positiveInt(values.hosts, "hosts", 1),
    animate: values.animate ?? false,
    ...(values["task-ms"] !== undefined ? { taskDurationMs: positiveInt(values["task-ms"], "task-ms", 1500) } : {}),
    ...(values["ticket-lifetime"] !== undefined ? { ticketLifetimeSec: positiveInt(values["ticket-lifetime"], "ticket-lifetime", 7200) } : {}),
    now: () => Date.now() + clockOffsetMs,
  });
  process.stdout.write(`${JSON.stringify({ urls: sim.urls, fingerprint: sim.fingerprint, users: sim.users })}\n`);

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
        process.stdout.write(`${JSON.stringify({ requests: sim.requests.length, logins: sim.loginCount, renewals: sim.renewCount, failed, byStatus, byPath })}\n`);
        break;
      }
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
}

main().catch((error: unknown) => {
  process.stderr.write(`pve simulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
