import { Agent, request } from "undici";
import type { LoggedRequest } from "./sim-process.js";

const FLOOR_PASSES = 3;

/**
 * The CPU floor of a cycle: fetching the same GET responses with bare undici (keep-alive, the
 * same parallelism per cycle) and `JSON.parse`-ing them, nothing else. Returns CPU ms per cycle.
 */
export async function measureFloor(options: { url: string; user: string; password: string; cycles: LoggedRequest[][] }): Promise<number> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const login = await request(`${options.url}/api2/json/access/ticket`, {
      method: "POST",
      dispatcher,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: options.user, password: options.password }).toString(),
    });
    const ticket = ((await login.body.json()) as { data: { ticket: string } }).data.ticket;
    const headers = { cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` };
    const fetchAll = (cycle: LoggedRequest[]) =>
      Promise.all(
        cycle.map(async (logged) => {
          const query = new URLSearchParams(logged.query).toString();
          const response = await request(`${options.url}/api2/json${encodePath(logged.path)}${query ? `?${query}` : ""}`, { dispatcher, headers });
          return JSON.parse(await response.body.text()) as unknown;
        }),
      );
    // A whole untimed pass first: connections, the HTTP parser and the JIT are then as warm as the
    // bridge's are after its warm-up (a cold floor would flatter the ratio).
    for (const cycle of options.cycles) await fetchAll(cycle);
    // The median of three timed passes: one pass moves by ±20 % between runs on a busy machine.
    const passes: number[] = [];
    for (let pass = 0; pass < FLOOR_PASSES; pass++) {
      const started = process.cpuUsage();
      for (const cycle of options.cycles) await fetchAll(cycle);
      const used = process.cpuUsage(started);
      passes.push((used.user + used.system) / 1000 / Math.max(1, options.cycles.length));
    }
    return passes.sort((a, b) => a - b)[Math.floor(passes.length / 2)]!;
  } finally {
    await dispatcher.close();
  }
}

/** The log holds decoded paths; node names and ids need no escaping but a few characters might. */
function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
