import { Agent, request } from "undici";
import type { LoggedRequest } from "./sim-process.js";

/**
 * The CPU floor of a cycle: fetching the same GET responses with bare undici (keep-alive, the
 * same parallelism per cycle) and `JSON.parse`-ing them, nothing else. The benchmark replays each
 * of the bridge's cycles right after it, against the simulator still in that cycle's state: the
 * same answers, and the same moment of a machine whose speed drifts by ±10 % over minutes.
 */
export class FloorClient {
  private readonly dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  private headers: Record<string, string> = {};

  private constructor(private readonly url: string) {}

  static async login(options: { url: string; user: string; password: string }): Promise<FloorClient> {
    const client = new FloorClient(options.url);
    const login = await request(`${options.url}/api2/json/access/ticket`, {
      method: "POST",
      dispatcher: client.dispatcher,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: options.user, password: options.password }).toString(),
    });
    const ticket = ((await login.body.json()) as { data: { ticket: string } }).data.ticket;
    client.headers = { cookie: `PVEAuthCookie=${encodeURIComponent(ticket)}` };
    return client;
  }

  /** Fetches and parses one cycle's GET requests, all at once as the bridge sends them; returns the CPU it took in µs. */
  async replay(cycle: LoggedRequest[]): Promise<number> {
    const started = process.cpuUsage();
    await Promise.all(
      cycle.map(async (logged) => {
        const query = new URLSearchParams(logged.query).toString();
        const response = await request(`${this.url}/api2/json${encodePath(logged.path)}${query ? `?${query}` : ""}`, { dispatcher: this.dispatcher, headers: this.headers });
        return JSON.parse(await response.body.text()) as unknown;
      }),
    );
    const used = process.cpuUsage(started);
    return used.user + used.system;
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** The log holds decoded paths; node names and ids need no escaping but a few characters might. */
function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
