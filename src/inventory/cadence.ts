import type { Config } from "../config/schema.js";
import type { PollerOptions } from "./poller.js";

/** HA and Ceph status: read at most this often (seconds). */
const CLUSTER_HEALTH_EVERY_S = 300;

/**
 * The slow details' cadence from `details.*` (seconds) and the poll interval: IPs every
 * `details.ips`, snapshots and backup listings every `details.refresh` as a safety net (they are
 * otherwise read when a task changes them); 0 turns one off.
 */
export function pollCadence(config: Config): Pick<PollerOptions, "cadence" | "health"> {
  const cycles = (seconds: number): number => (seconds <= 0 ? 0 : Math.max(1, Math.round(seconds / config.poll.interval)));
  const { ips, refresh, disks, updates } = config.details;
  return {
    cadence: { ips: cycles(ips), snapshots: cycles(refresh), backups: cycles(refresh) },
    health: { disks, updates, cluster: CLUSTER_HEALTH_EVERY_S },
  };
}
