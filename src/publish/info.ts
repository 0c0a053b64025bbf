import type { HostHealth } from "../pve/types.js";

/** The health panel published retained on `B/bridge/info` and served by GET /health. */
export interface BridgeInfo {
  version: string;
  cluster: string | null;
  cid: string | null;
  pve_version: string | null;
  quorate: boolean | null;
  connected_host: string | null;
  hosts: HostHealth[];
  last_poll: string | null;
  last_poll_duration: number | null;
  last_poll_result: "ok" | "error" | null;
  last_error: string | null;
  consecutive_failures: number;
  mqtt_connected: boolean;
  devices: { nodes: number; qemu: number; lxc: number; storages: number };
}

/** Healthy means: the last poll succeeded and the broker is connected. */
export function isHealthy(info: BridgeInfo): boolean {
  return info.last_poll_result === "ok" && info.mqtt_connected;
}
