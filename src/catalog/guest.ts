/** The rows of a VM or container (`B/qemu/<vmid>`, `B/lxc/<vmid>`). */
import { GUEST_STATUSES, type GuestInfo } from "../inventory/types.js";
import { nested } from "../homeassistant/templates.js";
import { fractionPercent, isoTimeOrNull, percent, stableBootTime, wholeBytes } from "../state/format.js";
import type { CommandResult } from "../state/command-result.js";
import { countSensor, diagnostic, gibSensor, guestButton, ON_OFF, percentSensor, rateSensor, refreshButton, textSensor, timestampSensor, uptimeSensor } from "./entities.js";
import { rowsFor, type MeterRow, type StateOf } from "./row.js";
import type { GuestSource } from "./sources.js";

const row = rowsFor<GuestSource>();
const NONE: readonly string[] = [];

/** A guest that is not running: cpu, rates and uptime 0, no IPs (CONTRACT section 4). */
const down = (s: GuestSource): boolean => s.guest.status === "stopped" || s.guest.status === "hibernated";
const rate = (pick: (rates: NonNullable<GuestSource["rates"]>) => number | null) => (s: GuestSource): number | null => (down(s) ? 0 : s.rates ? pick(s.rates) : null);
const ipv4 = (s: GuestSource): readonly string[] => (down(s) ? NONE : (s.details?.ipv4 ?? NONE));
const ipv6 = (s: GuestSource): readonly string[] => (down(s) ? NONE : (s.details?.ipv6 ?? NONE));
const uptime = (s: GuestSource): number | null => (down(s) ? 0 : s.guest.uptime);

function fallbackName(guest: GuestInfo): string {
  return `${guest.kind === "qemu" ? "VM" : "CT"} ${guest.vmid}`;
}

export const GUEST_VALUES = [
  row("vmid", (s) => s.guest.vmid, { panel: "text" }),
  row("name", (s) => s.guest.name ?? s.previous?.name ?? fallbackName(s.guest), { panel: "text" }),
  row("node", (s) => s.guest.node, { entity: diagnostic("mdi:server") }),
  row("type", (s) => s.guest.kind, { panel: "text" }),
  row("status", (s) => s.guest.status, {
    entity: { component: "sensor", deviceClass: "enum", options: GUEST_STATUSES, icon: "mdi:state-machine", reportsReachability: true },
    panel: "text",
  }),
  row("running", (s) => s.guest.status === "running", {
    entity: { component: "binary_sensor", deviceClass: "running", template: "{{ 'ON' if value_json.running else 'OFF' }}", ...ON_OFF, reportsReachability: true },
    metric: { name: "pve_guest_up", help: "1 when the guest is running", value: (running) => (running ? 1 : 0) },
  }),
  row("cpu", (s) => (down(s) ? 0 : fractionPercent(s.guest.cpu)), {
    entity: percentSensor({ icon: "mdi:cpu-64-bit" }),
    metric: { name: "pve_guest_cpu_ratio", help: "Guest CPU usage, 0..1 of its vCPUs", value: (cpu) => (cpu === null ? null : cpu / 100) },
    panel: "percent",
  }),
  row("cpus", (s) => s.guest.cpus),
  row("memory_used", (s) => wholeBytes(s.guest.memUsed), {
    entity: gibSensor("memory_used", { icon: "mdi:memory" }),
    metric: { name: "pve_guest_memory_used_bytes", help: "Guest memory used" },
    panel: "bytes",
  }),
  row("memory_total", (s) => wholeBytes(s.guest.memTotal), { metric: { name: "pve_guest_memory_total_bytes", help: "Guest memory size" } }),
  row("memory_percent", (s) => percent(s.guest.memUsed, s.guest.memTotal), { entity: percentSensor({ icon: "mdi:memory" }), panel: "percent" }),
  row("disk_used", (s) => (s.guest.kind === "qemu" ? null : wholeBytes(s.guest.diskUsed)), {
    entity: gibSensor("disk_used", { icon: "mdi:harddisk", only: "lxc" }),
    metric: { name: "pve_guest_disk_used_bytes", help: "Container disk used (not known for VMs)" },
    panel: "bytes",
  }),
  row("disk_total", (s) => wholeBytes(s.guest.diskTotal), {
    entity: gibSensor("disk_total", { icon: "mdi:harddisk", enabledByDefault: false }),
    panel: "bytes",
    metric: { name: "pve_guest_disk_total_bytes", help: "Guest boot disk / root filesystem size" },
  }),
  row("disk_read_rate", rate((r) => r.diskRead), { entity: rateSensor("disk_read_rate", "mdi:harddisk") }),
  row("disk_write_rate", rate((r) => r.diskWrite), { entity: rateSensor("disk_write_rate", "mdi:harddisk") }),
  row("net_in_rate", rate((r) => r.netIn), { entity: rateSensor("net_in_rate", "mdi:download-network") }),
  row("net_out_rate", rate((r) => r.netOut), { entity: rateSensor("net_out_rate", "mdi:upload-network") }),
  row("uptime", uptime, { entity: uptimeSensor(), metric: { name: "pve_guest_uptime_seconds", help: "Guest uptime" }, panel: "duration" }),
  row("boot_time", (s) => (down(s) || s.guest.status === "unknown" ? null : stableBootTime(uptime(s), s.now, s.previous?.boot_time)), { entity: timestampSensor() }),
  row("ha_state", (s) => s.guest.haState, { entity: diagnostic("mdi:shield-check") }),
  row("lock", (s) => s.guest.lock, { entity: diagnostic("mdi:lock") }),
  row("tags", (s) => s.guest.tags),
  row("ip", (s) => ipv4(s)[0] ?? null, { entity: textSensor("mdi:ip-network", { attributes: ["ipv4", "ipv6"] }), panel: "text" }),
  row("ipv4", ipv4),
  row("ipv6", ipv6),
  row("os", (s) => s.details?.os ?? null, { entity: diagnostic("mdi:penguin") }),
  row("snapshots", (s) => s.details?.snapshots ?? null, { entity: countSensor("mdi:camera"), panel: "number" }),
  row("last_snapshot", (s) => s.details?.lastSnapshot ?? null, { entity: textSensor("mdi:camera") }),
  row("last_snapshot_time", (s) => isoTimeOrNull(s.details?.lastSnapshotTime), { entity: timestampSensor({ enabledByDefault: false }) }),
  row("last_backup", (s) => isoTimeOrNull(s.details?.lastBackup), { entity: timestampSensor({ icon: "mdi:backup-restore" }), panel: "time" }),
  row("last_backup_status", (s) => s.tasks.outcomes.get(s.guest.vmid)?.status ?? null, {
    entity: { component: "sensor", deviceClass: "enum", options: ["ok", "error"], icon: "mdi:backup-restore", attributes: ["last_backup_error"] },
    panel: "text",
  }),
  row("last_backup_error", (s) => s.tasks.outcomes.get(s.guest.vmid)?.error ?? null),
  row("backup_running", (s) => s.tasks.live.has(s.guest.vmid), {
    entity: { component: "binary_sensor", deviceClass: "running", template: "{{ 'ON' if value_json.backup_running else 'OFF' }}", ...ON_OFF, icon: "mdi:backup-restore" },
    panel: "bool",
  }),
  row("backup_progress", (s) => s.tasks.live.get(s.guest.vmid)?.progress ?? null, { entity: percentSensor({ icon: "mdi:progress-upload", precision: 0 }), panel: "percent" }),
  row("last_action", (s): CommandResult | null => s.lastAction, {
    entity: { component: "sensor", deviceClass: "enum", options: ["started", "ok", "error"], template: nested("last_action", "status"), attributes: "last_action", icon: "mdi:history" },
  }),
] as const;

export const GUEST_CONTROLS = [
  guestButton("start", "mdi:play"),
  guestButton("shutdown", "mdi:power"),
  guestButton("stop", "mdi:stop"),
  guestButton("reboot", "mdi:restart", { deviceClass: "restart" }),
  // PVE calls lxc suspend/resume experimental: accepted as commands, no buttons.
  guestButton("suspend", "mdi:pause", { only: "qemu" }),
  guestButton("resume", "mdi:play-pause", { only: "qemu" }),
  guestButton("snapshot", "mdi:camera"),
  guestButton("backup", "mdi:content-save"),
  refreshButton,
];

export type GuestValues = StateOf<typeof GUEST_VALUES>;

/** Cumulative counters for Prometheus (its `rate()` derives what the state's rates show). */
export const GUEST_METERS: MeterRow<GuestSource>[] = [
  { metric: { name: "pve_guest_network_receive_bytes", help: "Bytes received since the guest started" }, get: (s) => s.guest.counters?.netin ?? null },
  { metric: { name: "pve_guest_network_transmit_bytes", help: "Bytes sent since the guest started" }, get: (s) => s.guest.counters?.netout ?? null },
  { metric: { name: "pve_guest_disk_read_bytes", help: "Bytes read since the guest started" }, get: (s) => s.guest.counters?.diskread ?? null },
  { metric: { name: "pve_guest_disk_written_bytes", help: "Bytes written since the guest started" }, get: (s) => s.guest.counters?.diskwrite ?? null },
];
