/** The rows of the cluster as a whole (`B/cluster`, CONTRACT 8). A standalone node is a cluster of one. */
import { countSensor, diagnostic, gibSensor, onOffSensor, percentSensor, textSensor } from "./entities.js";
import { rowsFor, type StateOf } from "./row.js";
import type { ClusterSource } from "./sources.js";
import { percent, wholeBytes } from "../state/format.js";

const row = rowsFor<ClusterSource>();

const onlineNodes = (s: ClusterSource) => s.inventory.nodes.filter((node) => node.status === "online");
const sum = (values: Array<number | null>): number | null => (values.some((value) => value !== null) ? values.reduce<number>((total, value) => total + (value ?? 0), 0) : null);

/** Each storage once: a shared one is listed by every node that has it. */
function distinctStorages(s: ClusterSource) {
  const seen = new Map<string, ClusterSource["inventory"]["storages"][number]>();
  for (const storage of s.inventory.storages) {
    if (storage.status !== "available") continue;
    const key = storage.shared ? storage.storage : `${storage.node}/${storage.storage}`;
    if (!seen.has(key)) seen.set(key, storage);
  }
  return [...seen.values()];
}

/** % of every online node's CPUs, weighted by their CPU counts. */
function weightedCpu(s: ClusterSource): number | null {
  let busy = 0;
  let cpus = 0;
  for (const node of onlineNodes(s)) {
    if (node.cpu === null || node.cpus === null) continue;
    busy += node.cpu * node.cpus;
    cpus += node.cpus;
  }
  return cpus === 0 ? null : Math.round((busy / cpus) * 1000) / 10;
}

const memoryUsed = (s: ClusterSource) => sum(onlineNodes(s).map((node) => node.memUsed));
const memoryTotal = (s: ClusterSource) => sum(onlineNodes(s).map((node) => node.memTotal));
const storageUsed = (s: ClusterSource) => sum(distinctStorages(s).map((storage) => storage.used));
const storageTotal = (s: ClusterSource) => sum(distinctStorages(s).map((storage) => storage.total));

export const CLUSTER_VALUES = [
  row("name", (s) => s.inventory.cluster.name, { entity: diagnostic("mdi:server-network") }),
  row("quorate", (s) => s.inventory.cluster.quorate, { entity: onOffSensor("quorate", { icon: "mdi:vote" }), panel: "bool" }),
  row("nodes_online", (s) => onlineNodes(s).length, { entity: countSensor("mdi:server"), panel: "number" }),
  row("nodes_total", (s) => s.inventory.nodes.length),
  row("guests_running", (s) => s.inventory.guests.filter((guest) => guest.status === "running").length, { entity: countSensor("mdi:server-plus"), panel: "number" }),
  row("guests_total", (s) => s.inventory.guests.length),
  row("cpu", weightedCpu, { entity: percentSensor({ icon: "mdi:cpu-64-bit" }), panel: "percent" }),
  row("memory_used", (s) => wholeBytes(memoryUsed(s))),
  row("memory_total", (s) => wholeBytes(memoryTotal(s))),
  row("memory_percent", (s) => percent(memoryUsed(s), memoryTotal(s)), { entity: percentSensor({ icon: "mdi:memory" }), panel: "percent" }),
  row("storage_used", (s) => wholeBytes(storageUsed(s)), { entity: gibSensor("storage_used", { icon: "mdi:database" }), panel: "bytes" }),
  row("storage_total", (s) => wholeBytes(storageTotal(s))),
  row("tasks_running", (s) => s.tasks.summary?.tasksRunning ?? null, { panel: "number" }),
  row("tasks_failed", (s) => s.tasks.summary?.tasksFailed ?? null, { entity: countSensor("mdi:alert-circle-outline"), panel: "number" }),
  row("backups_running", (s) => s.tasks.summary?.backupsRunning ?? null, { entity: countSensor("mdi:backup-restore"), panel: "number" }),
  row("guests_without_recent_backup", (s) => s.withoutRecentBackup?.length ?? null, {
    entity: countSensor("mdi:shield-alert-outline", { attributes: ["guests_without_recent_backup_list"] }),
    panel: "number",
  }),
  row("guests_without_recent_backup_list", (s) => s.withoutRecentBackup),
  row("ha_status", (s) => s.health.ha.ha_status, { entity: textSensor("mdi:shield-check", { category: "diagnostic" }), panel: "text" }),
  row("ha_armed", (s) => s.health.ha.ha_armed),
  row("ceph_health", (s) => s.health.ceph, { entity: textSensor("mdi:database-cog", { requires: "ceph" }), panel: "text" }),
] as const;

export type ClusterValues = StateOf<typeof CLUSTER_VALUES>;
