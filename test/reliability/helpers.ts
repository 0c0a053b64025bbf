import type { Harness } from "../e2e/harness.js";

export interface LogLine {
  level: number;
  msg: string;
  raw: string;
}

export const INFO = 30;
export const WARN = 40;

/** The captured log lines from index `since` on, parsed. */
export function logLines(h: Harness, since = 0): LogLine[] {
  return h.logs.slice(since).map((raw) => {
    const parsed = JSON.parse(raw) as { level: number; msg?: string };
    return { level: parsed.level, msg: parsed.msg ?? "", raw };
  });
}

/** Lines at info level or above (what an operator reads). */
export function storyLines(h: Harness, since = 0): LogLine[] {
  return logLines(h, since).filter((line) => line.level >= INFO);
}

export interface Info {
  connected_host: string | null;
  hosts: Array<{ origin: string; state: string; lastError: string | null }>;
  last_poll_result: string | null;
  last_error: string | null;
  consecutive_failures: number;
  mqtt_connected: boolean;
}

export function infos(h: Harness, since = 0): Info[] {
  return h.observer.messages
    .slice(since)
    .filter((m) => m.topic === `${h.base}/bridge/info`)
    .map((m) => JSON.parse(m.payload) as Info);
}

export function waitInfo(h: Harness, predicate: (info: Info) => boolean, since: number, timeoutMs = 10_000): Promise<Info> {
  return h.observer.waitForJson<Info>(`${h.base}/bridge/info`, predicate, timeoutMs, since);
}

/** Every /set-like POST the bridge sent to PVE (logins excluded). */
export function writes(h: Harness) {
  return h.sim.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket");
}
