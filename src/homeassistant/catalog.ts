/*
 * The one table of Home Assistant entities, per device kind. A row gives the state field an entity
 * reads, its discovery settings and (with its device kind) its translation key `<kind>.<key>`.
 * Adding an entity is one row here plus one name per language in translations/.
 *
 * Choices worth knowing:
 * - Sizes are GiB and rates kB/s through value templates; the state JSON stays in bytes.
 * - Binary sensors render ON / OFF, or `None` (unknown) when the value is not known.
 * - `uptime` is disabled by default: it changes on every poll; `boot_time` ("started at") is the
 *   timestamp Home Assistant shows as a relative time without recording a new state each poll.
 * - Storage `active` has no device class: "On/Off" reads right for a mounted/activated storage,
 *   where `running` or `connectivity` would not (a local directory is neither).
 * - Power, snapshot and backup buttons have no entity category (they are the device's main
 *   controls); `refresh` is `diagnostic` (it changes nothing, it re-reads).
 * - Node power buttons need `commands.enabled` as well as `commands.node_power`: a read-only
 *   bridge shows no action buttons at all.
 */
import type { Config, GuestAction, NodeAction } from "../config/schema.js";
import { GUEST_STATUSES } from "../inventory/types.js";
import type { GuestState, NodeState, StorageState } from "../state/types.js";
import type { BridgeInfoFields } from "./bridgeInfo.js";
import { gib, kbPerSecond, nested, onOff, onOffWhen } from "./templates.js";

export interface EntityRow<Field extends string = string> {
  /** Object id suffix and translation key, e.g. "memory_used". */
  key: string;
  component: "sensor" | "binary_sensor" | "button";
  /** The state JSON field it reads (value_json.<field>). */
  field?: Field;
  deviceClass?: string;
  unit?: string;
  stateClass?: "measurement" | "total" | "total_increasing";
  /** suggested_display_precision */
  precision?: number;
  /** value_template when not a plain `{{ value_json.<field> }}`. */
  template?: string;
  /** Never "config" on a sensor. */
  category?: "diagnostic" | "config";
  icon?: string;
  enabledByDefault?: boolean;
  /** The entity reports the device's reachability or status: its availability is the bridge state only. */
  reportsReachability?: boolean;
  /** Binary sensors: the rendered value meaning on / off. */
  payloadOn?: string;
  payloadOff?: string;
  /** Enum sensors: the closed list of values. */
  options?: readonly string[];
  /** Buttons: the bare action word they publish. */
  action?: string;
  /** json_attributes: one object field as a whole, or several fields under their names. */
  attributesField?: Field | readonly Field[];
  only?: "qemu" | "lxc";
  /** The entity exists only when this holds (buttons of allowed actions). */
  when?: (config: Config) => boolean;
  /** Bridge rows: read `B/bridge/state` (plain online/offline) instead of the `B/bridge/info` JSON. */
  source?: "state" | "info";
}

type Row<F extends string> = EntityRow<F>;

const ON_OFF = { payloadOn: "ON", payloadOff: "OFF" } as const;

function percent<F extends string>(key: F, extra: Partial<Row<F>> = {}): Row<F> {
  return { key, component: "sensor", field: key, unit: "%", stateClass: "measurement", precision: 1, ...extra };
}
function gibSize<F extends string>(key: F, extra: Partial<Row<F>> = {}): Row<F> {
  return { key, component: "sensor", field: key, deviceClass: "data_size", unit: "GiB", stateClass: "measurement", precision: 2, template: gib(key), ...extra };
}
function rate<F extends string>(key: F, icon: string): Row<F> {
  return { key, component: "sensor", field: key, deviceClass: "data_rate", unit: "kB/s", stateClass: "measurement", precision: 1, template: kbPerSecond(key), icon };
}
function timestamp<F extends string>(key: string, field: F, extra: Partial<Row<F>> = {}): Row<F> {
  return { key, component: "sensor", field, deviceClass: "timestamp", ...extra };
}
function text<F extends string>(key: F, icon: string, extra: Partial<Row<F>> = {}): Row<F> {
  return { key, component: "sensor", field: key, icon, ...extra };
}
function count<F extends string>(key: F, icon: string, extra: Partial<Row<F>> = {}): Row<F> {
  return { key, component: "sensor", field: key, stateClass: "measurement", precision: 0, icon, ...extra };
}
function uptime<F extends string>(key: F): Row<F> {
  return { key, component: "sensor", field: key, deviceClass: "duration", unit: "s", precision: 0, category: "diagnostic", enabledByDefault: false };
}

const actionsEnabled = (config: Config) => config.commands.enabled;
function guestButton(action: GuestAction, icon: string, extra: Partial<Row<never>> = {}): Row<never> {
  return { key: action, component: "button", action, icon, when: (config) => actionsEnabled(config) && config.commands.allow.includes(action), ...extra };
}
function nodeButton(action: NodeAction, icon: string, extra: Partial<Row<never>> = {}): Row<never> {
  return { key: action, component: "button", action, icon, when: (config) => actionsEnabled(config) && config.commands.node_power, ...extra };
}
/** `refresh` is allowed even on a read-only bridge. */
const refreshButton: Row<never> = { key: "refresh", component: "button", action: "refresh", icon: "mdi:refresh", category: "diagnostic" };

const node: Row<keyof NodeState>[] = [
  { key: "online", component: "binary_sensor", field: "status", deviceClass: "connectivity", template: onOffWhen("status", "online", "offline"), ...ON_OFF, reportsReachability: true },
  percent("cpu", { icon: "mdi:cpu-64-bit" }),
  count("load_1", "mdi:gauge", { precision: 2 }),
  count("load_5", "mdi:gauge", { precision: 2 }),
  count("load_15", "mdi:gauge", { precision: 2 }),
  gibSize("memory_used", { icon: "mdi:memory" }),
  gibSize("memory_total", { icon: "mdi:memory" }),
  percent("memory_percent", { icon: "mdi:memory" }),
  gibSize("swap_used", { icon: "mdi:swap-horizontal" }),
  gibSize("rootfs_used", { icon: "mdi:harddisk" }),
  gibSize("rootfs_total", { icon: "mdi:harddisk", enabledByDefault: false }),
  percent("rootfs_percent", { icon: "mdi:harddisk" }),
  count("guests_running", "mdi:server"),
  timestamp("boot_time", "boot_time"),
  uptime("uptime"),
  text("pve_version", "mdi:information-outline", { category: "diagnostic" }),
  text("kernel", "mdi:linux", { category: "diagnostic" }),
  text("cpu_model", "mdi:chip", { category: "diagnostic" }),
  count("cpus", "mdi:chip", { stateClass: undefined, category: "diagnostic" }),
  nodeButton("reboot", "mdi:restart", { deviceClass: "restart" }),
  nodeButton("shutdown", "mdi:power"),
  nodeButton("startall", "mdi:play-circle"),
  nodeButton("stopall", "mdi:stop-circle"),
  refreshButton,
];

const guest: Row<keyof GuestState>[] = [
  { key: "running", component: "binary_sensor", field: "running", deviceClass: "running", template: "{{ 'ON' if value_json.running else 'OFF' }}", ...ON_OFF, reportsReachability: true },
  { key: "status", component: "sensor", field: "status", deviceClass: "enum", options: GUEST_STATUSES, icon: "mdi:state-machine", reportsReachability: true },
  percent("cpu", { icon: "mdi:cpu-64-bit" }),
  gibSize("memory_used", { icon: "mdi:memory" }),
  percent("memory_percent", { icon: "mdi:memory" }),
  gibSize("disk_used", { icon: "mdi:harddisk", only: "lxc" }),
  gibSize("disk_total", { icon: "mdi:harddisk", enabledByDefault: false }),
  rate("disk_read_rate", "mdi:harddisk"),
  rate("disk_write_rate", "mdi:harddisk"),
  rate("net_in_rate", "mdi:download-network"),
  rate("net_out_rate", "mdi:upload-network"),
  timestamp("boot_time", "boot_time"),
  uptime("uptime"),
  text("ip", "mdi:ip-network", { attributesField: ["ipv4", "ipv6"] }),
  text("ha_state", "mdi:shield-check", { category: "diagnostic" }),
  text("node", "mdi:server", { category: "diagnostic" }),
  text("lock", "mdi:lock", { category: "diagnostic" }),
  count("snapshots", "mdi:camera"),
  text("last_snapshot", "mdi:camera"),
  timestamp("last_snapshot_time", "last_snapshot_time", { enabledByDefault: false }),
  timestamp("last_backup", "last_backup", { icon: "mdi:backup-restore" }),
  { key: "last_action", component: "sensor", field: "last_action", deviceClass: "enum", options: ["started", "ok", "error"], template: nested("last_action", "status"), attributesField: "last_action", icon: "mdi:history" },
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

const storage: Row<keyof StorageState>[] = [
  { key: "active", component: "binary_sensor", field: "active", template: onOff("active"), ...ON_OFF, icon: "mdi:database-check", reportsReachability: true },
  gibSize("used", { icon: "mdi:database" }),
  gibSize("total", { icon: "mdi:database" }),
  gibSize("available", { icon: "mdi:database" }),
  percent("used_percent", { icon: "mdi:database" }),
  refreshButton,
];

const bridge: Row<keyof BridgeInfoFields>[] = [
  { key: "connection", component: "binary_sensor", deviceClass: "connectivity", source: "state", payloadOn: "online", payloadOff: "offline", reportsReachability: true },
  text("pve_version", "mdi:information-outline", { category: "diagnostic" }),
  text("cluster", "mdi:server-network", { category: "diagnostic" }),
  { key: "quorate", component: "binary_sensor", field: "quorate", template: onOff("quorate"), ...ON_OFF, icon: "mdi:vote" },
  text("connected_host", "mdi:server-network", { category: "diagnostic" }),
  timestamp("last_poll", "last_poll", { category: "diagnostic" }),
  { key: "last_poll_duration", component: "sensor", field: "last_poll_duration", deviceClass: "duration", unit: "s", stateClass: "measurement", precision: 2, category: "diagnostic" },
  text("version", "mdi:information-outline", { category: "diagnostic" }),
  refreshButton,
];

export type DeviceKind = "node" | "guest" | "storage" | "bridge";

export const CATALOG: { node: EntityRow[]; guest: EntityRow[]; storage: EntityRow[]; bridge: EntityRow[] } = { node, guest, storage, bridge };

/** The translation key of a row: `<device kind>.<key>`. */
export function translationKey(kind: DeviceKind, row: EntityRow): string {
  return `${kind}.${row.key}`;
}
