import type { PollOutcome } from "../inventory/poller.js";
import type { HostHealth } from "../pve/types.js";
import { BRIDGE_VERSION } from "../version.js";
import type { DeviceCounts } from "./records.js";

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
  devices: DeviceCounts;
}

export interface LastPoll {
  /** epoch ms it ended */
  at: number;
  /** ms */
  duration: number;
  ok: boolean;
  error: string | null;
}

/** What bridge/info is made of. */
export interface InfoSources {
  outcome: PollOutcome | null;
  cid: string | null;
  connectedHost: string | null;
  hosts: HostHealth[];
  lastPoll: LastPoll | null;
  failures: number;
  mqttConnected: boolean;
  devices: DeviceCounts | null;
}

export function bridgeInfo(s: InfoSources): BridgeInfo {
  const cluster = s.outcome?.inventory.cluster;
  const nodeVersion = s.outcome?.inventory.nodes.find((node) => node.pveVersion !== null)?.pveVersion ?? null;
  return {
    version: BRIDGE_VERSION,
    cluster: cluster?.name ?? null,
    cid: s.cid,
    pve_version: cluster?.pveVersion ?? nodeVersion,
    quorate: cluster?.quorate ?? null,
    connected_host: s.connectedHost,
    hosts: s.hosts,
    last_poll: s.lastPoll ? new Date(s.lastPoll.at).toISOString() : null,
    last_poll_duration: s.lastPoll ? Math.round(s.lastPoll.duration) / 1000 : null,
    last_poll_result: s.lastPoll ? (s.lastPoll.ok ? "ok" : "error") : null,
    last_error: s.lastPoll?.error ?? null,
    consecutive_failures: s.failures,
    mqtt_connected: s.mqttConnected,
    devices: s.devices ?? { nodes: 0, qemu: 0, lxc: 0, storages: 0, disks: 0, zfs_pools: 0 },
  };
}

/** Healthy means: the last poll succeeded and the broker is connected. */
export function isHealthy(info: BridgeInfo): boolean {
  return info.last_poll_result === "ok" && info.mqtt_connected;
}
