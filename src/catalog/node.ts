/** The rows of a node (`B/node/<node>`). A node that is not online has every metric null. */
import { onOffWhen } from "../homeassistant/templates.js";
import { fractionPercent, percent, stableBootTime, wholeBytes } from "../state/format.js";
import { countSensor, diagnostic, gibSensor, nodeButton, ON_OFF, percentSensor, refreshButton, timestampSensor, uptimeSensor } from "./entities.js";
import { rowsFor, type StateOf } from "./row.js";
import type { NodeSource } from "./sources.js";

const row = rowsFor<NodeSource>();
const online = (s: NodeSource): boolean => s.node.status === "online";
/** A value that is only true while the node is online. */
const live = <V>(get: (s: NodeSource) => V | null) => (s: NodeSource): V | null => (online(s) ? get(s) : null);
const uptime = live((s) => s.node.uptime);

export const NODE_VALUES = [
  row("status", (s) => s.node.status, {
    entity: { key: "online", component: "binary_sensor", deviceClass: "connectivity", template: onOffWhen("status", "online", "offline"), ...ON_OFF, reportsReachability: true },
    metric: { name: "pve_node_up", help: "1 when the node is online", value: (status) => (status === "online" ? 1 : 0) },
    panel: "text",
  }),
  row("cpu", live((s) => fractionPercent(s.node.cpu)), {
    entity: percentSensor({ icon: "mdi:cpu-64-bit" }),
    metric: { name: "pve_node_cpu_ratio", help: "Node CPU usage, 0..1", value: (cpu) => (cpu === null ? null : cpu / 100) },
    panel: "percent",
  }),
  row("cpus", (s) => s.node.cpus, { entity: countSensor("mdi:chip", { stateClass: undefined, category: "diagnostic" }) }),
  row("cpu_model", (s) => s.node.cpuModel, { entity: diagnostic("mdi:chip") }),
  row("load_1", live((s) => s.node.load?.[0] ?? null), { entity: countSensor("mdi:gauge", { precision: 2 }), panel: "number" }),
  row("load_5", live((s) => s.node.load?.[1] ?? null), { entity: countSensor("mdi:gauge", { precision: 2 }) }),
  row("load_15", live((s) => s.node.load?.[2] ?? null), { entity: countSensor("mdi:gauge", { precision: 2 }) }),
  row("memory_used", live((s) => wholeBytes(s.node.memUsed)), {
    entity: gibSensor("memory_used", { icon: "mdi:memory" }),
    panel: "bytes",
    metric: { name: "pve_node_memory_used_bytes", help: "Node memory used" },
  }),
  row("memory_total", (s) => wholeBytes(s.node.memTotal), {
    entity: gibSensor("memory_total", { icon: "mdi:memory" }),
    metric: { name: "pve_node_memory_total_bytes", help: "Node memory total" },
  }),
  row("memory_percent", live((s) => percent(s.node.memUsed, s.node.memTotal)), { entity: percentSensor({ icon: "mdi:memory" }), panel: "percent" }),
  row("swap_used", live((s) => wholeBytes(s.node.swapUsed)), { entity: gibSensor("swap_used", { icon: "mdi:swap-horizontal" }) }),
  row("swap_total", (s) => wholeBytes(s.node.swapTotal)),
  row("rootfs_used", live((s) => wholeBytes(s.node.rootfsUsed)), {
    entity: gibSensor("rootfs_used", { icon: "mdi:harddisk" }),
    metric: { name: "pve_node_rootfs_used_bytes", help: "Node root filesystem used" },
  }),
  row("rootfs_total", (s) => wholeBytes(s.node.rootfsTotal), { entity: gibSensor("rootfs_total", { icon: "mdi:harddisk", enabledByDefault: false }) }),
  row("rootfs_percent", live((s) => percent(s.node.rootfsUsed, s.node.rootfsTotal)), { entity: percentSensor({ icon: "mdi:harddisk" }) }),
  row("io_delay", live((s) => fractionPercent(s.node.ioDelay)), { entity: percentSensor({ icon: "mdi:timer-sand" }), panel: "percent" }),
  row("uptime", uptime, {
    entity: uptimeSensor(),
    metric: { name: "pve_node_uptime_seconds", help: "Node uptime" },
    panel: "duration",
  }),
  row("boot_time", (s) => stableBootTime(uptime(s), s.now, s.previous?.boot_time), { entity: timestampSensor() }),
  row("kernel", (s) => s.node.kernel, { entity: diagnostic("mdi:linux") }),
  row("pve_version", (s) => s.node.pveVersion, { entity: diagnostic("mdi:information-outline"), panel: "text" }),
  row("guests_running", (s) => s.guestsRunning, { entity: countSensor("mdi:server") }),
  row("guests_total", (s) => s.guestsTotal),
  row("updates", (s) => s.health?.updates.count ?? null, {
    entity: countSensor("mdi:package-up"),
    metric: { name: "pve_node_updates_pending", help: "Package updates pending on the node" },
    panel: "number",
  }),
  row("update_version", (s) => s.health?.updates.update_version ?? null, {
    entity: {
      key: "update",
      component: "update",
      template: "{{ {'installed_version': value_json.pve_version, 'latest_version': value_json.update_version, 'release_summary': value_json.update_summary, 'title': 'Proxmox VE'} | tojson }}",
      icon: "mdi:update",
    },
  }),
  row("update_summary", (s) => s.health?.updates.summary ?? null),
  row("tasks_running", (s) => s.tasks?.tasksRunning ?? (s.tasksKnown ? 0 : null), { panel: "number" }),
  row("tasks_failed", (s) => s.tasks?.tasksFailed ?? (s.tasksKnown ? 0 : null), {
    entity: countSensor("mdi:alert-circle-outline"),
    metric: { name: "pve_node_tasks_failed", help: "Tasks of the node that ended in error in the last 24 h" },
    panel: "number",
  }),
] as const;

export const NODE_CONTROLS = [
  nodeButton("reboot", "mdi:restart", { deviceClass: "restart" }),
  nodeButton("shutdown", "mdi:power"),
  nodeButton("startall", "mdi:play-circle"),
  nodeButton("stopall", "mdi:stop-circle"),
  refreshButton,
];

export type NodeValues = StateOf<typeof NODE_VALUES>;
