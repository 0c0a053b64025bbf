/* Builds every discovery message of the fixture cluster, tagged with its device kind, for the validator. */
import type { Config } from "../../src/config/schema.js";
import { bridgeDiscovery, discoveryFor, guestDiscovery, nodeDiscovery, storageDiscovery, type DiscoveryMessage } from "../../src/homeassistant/discovery.js";
import { NO_HEALTH, type HealthState } from "../../src/inventory/health.js";
import type { PollOutcome } from "../../src/inventory/poller.js";
import { NO_TASKS, type TaskState } from "../../src/inventory/task-feed.js";
import { stateValues } from "../../src/state/build.js";
import { clusterSource } from "../../src/state/sources.js";
import type { DeviceKind } from "../../src/catalog/index.js";
import { DISK, DISK_UNKNOWN, POOL, POOL_UNKNOWN } from "./health-fixtures.js";
import { BRIDGE_INFO, BRIDGE_INFO_UNKNOWN, CLUSTER, GUEST_STATE, GUEST_STATE_UNKNOWN, makeContext, NODE_STATE, NODE_STATE_UNKNOWN, STORAGE_STATE, STORAGE_STATE_UNKNOWN } from "./fixtures.js";
import type { ValidationInput } from "./validate.js";

export function clusterMessages(config: Config): Array<{ kind: DeviceKind; message: DiscoveryMessage }> {
  const ctx = makeContext(config);
  const tag = (kind: DeviceKind) => (message: DiscoveryMessage) => ({ kind, message });
  return [
    ...bridgeDiscovery(ctx).map(tag("bridge")),
    ...CLUSTER.nodes.flatMap((node) => nodeDiscovery(ctx, node)).map(tag("node")),
    ...CLUSTER.guests.flatMap((guest) => guestDiscovery(ctx, guest)).map(tag("guest")),
    ...CLUSTER.storages.flatMap((storage) => storageDiscovery(ctx, storage)).map(tag("storage")),
    ...discoveryFor(ctx, { kind: "cluster", hasCeph: true }).map(tag("cluster")),
    ...discoveryFor(ctx, { kind: "disk", disk: DISK }).map(tag("disk")),
    ...discoveryFor(ctx, { kind: "zfs", pool: POOL }).map(tag("zfs")),
  ];
}

const NOW = Date.parse("2024-06-01T10:00:00Z");
const outcome = (health: HealthState, tasks: TaskState): PollOutcome => ({
  inventory: { takenAt: NOW, cluster: { name: "lab", quorate: true, pveVersion: "8.2.4" }, ...CLUSTER },
  rates: new Map(),
  details: new Map(),
  tasks,
  health,
  backupsListed: true,
  requests: 0,
  skippedRows: 0,
});
const liveTasks: TaskState = {
  summary: { nodes: new Map(), tasksRunning: 2, tasksFailed: 1, backupsRunning: 1, guestsBackingUp: new Set([100]) },
  live: new Map(),
  outcomes: new Map(),
};
const health: HealthState = { nodes: new Map(), ha: { ha_status: "OK", ha_armed: "armed" }, ceph: "HEALTH_OK" };
const withStamp = (values: Record<string, unknown>) => ({ ...values, last_seen: "2024-06-01T10:00:00Z" });

export const SAMPLES: ValidationInput["samples"] = {
  event: {
    sample: { type: "vzdump", severity: "error", title: "vzdump backup status (pve1): backup failed", message: "Details…", hostname: "pve1", job_id: "backup-1", time: "2024-06-01T10:00:00Z" },
    nullSample: { type: "other", severity: "info", title: "", message: "", hostname: null, job_id: null, time: "2024-06-01T10:00:00Z" },
  },
  cluster: {
    sample: withStamp(stateValues("cluster", clusterSource(outcome(health, liveTasks), 604800, NOW))),
    nullSample: withStamp(stateValues("cluster", clusterSource({ ...outcome(NO_HEALTH, NO_TASKS), backupsListed: false }, 604800, NOW))),
  },
  disk: { sample: withStamp(stateValues("disk", { disk: DISK })), nullSample: withStamp(stateValues("disk", { disk: DISK_UNKNOWN })) },
  zfs: { sample: withStamp(stateValues("zfs", { pool: POOL })), nullSample: withStamp(stateValues("zfs", { pool: POOL_UNKNOWN })) },
  node: { sample: { ...NODE_STATE }, nullSample: { ...NODE_STATE_UNKNOWN } },
  guest: { sample: { ...GUEST_STATE }, nullSample: { ...GUEST_STATE_UNKNOWN } },
  storage: { sample: { ...STORAGE_STATE }, nullSample: { ...STORAGE_STATE_UNKNOWN } },
  bridge: { sample: { ...BRIDGE_INFO }, nullSample: { ...BRIDGE_INFO_UNKNOWN } },
};

export function validationInput(config: Config): ValidationInput {
  return { mode: config.homeassistant.discovery, discoveryPrefix: config.homeassistant.discovery_prefix, messages: clusterMessages(config), samples: SAMPLES };
}
