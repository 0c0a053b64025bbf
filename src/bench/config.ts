import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import type { SimProcess } from "./sim-process.js";

export const USER = "pve2mqtt@pve";
/** The interval the benchmark stands for: the default. */
const DEFAULT_INTERVAL_S = 30;
/** `details.ips` and `details.refresh` defaults (seconds). */
const DEFAULT_DETAILS_S = { ips: 1800, refresh: 21600 };

/** A directory in the OS temp folder for the run's config files, removed at the end. */
export class BenchDirectory {
  private readonly root = mkdtempSync(join(tmpdir(), "pve2mqtt-bench-"));

  path(name: string): string {
    return join(this.root, name);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Writes a bridge config for the simulator and broker and returns its path. Without `intervalS`,
 * polls are driven by pollNow() with the clock moved 30 s each (the timer never fires during the
 * run); the detail cadence the bridge derives from `details.*` and the interval (seconds ÷
 * interval) is then scaled so it is the default config's at the default 30 s interval.
 */
export function writeBridgeConfig(path: string, sim: SimProcess, brokerUrl: string, options: { intervalS?: number; logLevel?: string; httpPort?: number } = {}): string {
  const driven = options.intervalS === undefined;
  const interval = options.intervalS ?? 86_400;
  const cycles = (seconds: number) => (seconds / DEFAULT_INTERVAL_S) * interval;
  const raw = {
    proxmox: { hosts: sim.info.urls.join(","), user: USER, password: sim.info.users[USER], fingerprint: [sim.info.fingerprint], timeout: 30 },
    mqtt: { url: brokerUrl, base_topic: "pve2mqtt" },
    poll: { interval },
    ...(driven ? { details: { ips: cycles(DEFAULT_DETAILS_S.ips), refresh: cycles(DEFAULT_DETAILS_S.refresh) } } : {}),
    log: { level: options.logLevel ?? "silent" },
    // the HTTP side (web panel, /health) on 127.0.0.1, port 0 for a free one
    ...(options.httpPort !== undefined ? { http: { port: options.httpPort, host: "127.0.0.1" } } : {}),
  };
  writeFileSync(path, dump(raw));
  return path;
}
