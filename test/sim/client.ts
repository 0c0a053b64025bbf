import { Agent, fetch } from "undici";
import type { PveSimulator } from "../../src/sim/index.js";

export interface Reply {
  status: number;
  reason: string;
  json: any;
  text: string;
}

export interface CallOptions {
  host?: number;
  ticket?: string;
  csrf?: string;
  token?: string;
  query?: Record<string, string>;
  form?: Record<string, string>;
}

/** A tiny PVE client for the tests: reads the reason phrase, which carries PVE 8.2's error text. */
export class TestClient {
  readonly agent: Agent;

  constructor(private readonly sim: PveSimulator) {
    this.agent = new Agent({ connect: { ca: sim.certPem } });
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
    const base = this.sim.urls[options.host ?? 0]!;
    const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
    const headers: Record<string, string> = {};
    if (options.ticket) headers.cookie = `PVEAuthCookie=${encodeURIComponent(options.ticket)}`;
    if (options.csrf) headers.CSRFPreventionToken = options.csrf;
    if (options.token) headers.authorization = `PVEAPIToken=${options.token}`;
    let body: string | undefined;
    if (options.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(`${base}/api2/json${path}${query}`, { method, headers, body, dispatcher: this.agent });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, reason: response.statusText, json, text };
  }

  async login(user = "root@pam", password = "rootpass"): Promise<Session> {
    const reply = await this.call("POST", "/access/ticket", { form: { username: user, password } });
    if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.reason}`);
    return new Session(this, reply.json.data.ticket, reply.json.data.CSRFPreventionToken);
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}

export class Session {
  constructor(
    readonly client: TestClient,
    readonly ticket: string,
    readonly csrf: string,
  ) {}

  get(path: string, query?: Record<string, string>, host?: number): Promise<Reply> {
    return this.client.call("GET", path, { ticket: this.ticket, ...(query ? { query } : {}), ...(host !== undefined ? { host } : {}) });
  }

  post(path: string, form: Record<string, string> = {}, host?: number): Promise<Reply> {
    return this.client.call("POST", path, { ticket: this.ticket, csrf: this.csrf, form, ...(host !== undefined ? { host } : {}) });
  }

  delete(path: string): Promise<Reply> {
    return this.client.call("DELETE", path, { ticket: this.ticket, csrf: this.csrf });
  }

  /** Polls a task on its own node until it stops. */
  async waitTask(upid: string): Promise<any> {
    const node = upid.split(":")[1]!;
    for (;;) {
      const reply = await this.get(`/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
      if (reply.status !== 200) throw new Error(`task status ${reply.status} ${reply.reason}`);
      if (reply.json.data.status === "stopped") return reply.json.data;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
