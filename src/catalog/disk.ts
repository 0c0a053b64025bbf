/** The rows of a physical disk (`B/disk/<node>/<disk>`, CONTRACT 8). */
import { countSensor, diagnostic, gibSensor, ON_OFF, percentSensor } from "./entities.js";
import { rowsFor, type StateOf } from "./row.js";
import type { DiskSource } from "./sources.js";

const row = rowsFor<DiskSource>();

export const DISK_VALUES = [
  row("node", (s) => s.disk.node),
  row("device", (s) => s.disk.device, { panel: "text" }),
  row("model", (s) => s.disk.model, { entity: diagnostic("mdi:harddisk"), panel: "text" }),
  row("serial", (s) => s.disk.serial, { entity: diagnostic("mdi:barcode") }),
  row("vendor", (s) => s.disk.vendor),
  row("type", (s) => s.disk.type, { panel: "text" }),
  row("size", (s) => s.disk.size, {
    entity: gibSensor("size", { icon: "mdi:harddisk", category: "diagnostic", stateClass: undefined }),
    metric: { name: "pve_disk_size_bytes", help: "Disk size" },
    panel: "bytes",
  }),
  row("health", (s) => s.disk.health, {
    entity: { component: "binary_sensor", deviceClass: "problem", template: "{{ 'ON' if value_json.health == 'failing' else ('OFF' if value_json.health == 'ok' else 'None') }}", ...ON_OFF },
    metric: { name: "pve_disk_healthy", help: "1 when SMART says the disk is healthy, 0 when failing", value: (health) => (health === "ok" ? 1 : health === "failing" ? 0 : null) },
    panel: "text",
  }),
  row("smart", (s) => s.disk.smart),
  row("wearout", (s) => s.disk.wearout, {
    entity: percentSensor({ icon: "mdi:timer-sand-complete", precision: 0 }),
    metric: { name: "pve_disk_wearout_percent", help: "% of the disk's rated life used" },
    panel: "percent",
  }),
  row("temperature", (s) => s.disk.temperature, {
    entity: countSensor("mdi:thermometer", { deviceClass: "temperature", unit: "°C", icon: undefined }),
    metric: { name: "pve_disk_temperature_celsius", help: "Disk temperature from SMART" },
    panel: "number",
  }),
  row("used", (s) => s.disk.used, { panel: "text" }),
] as const;

export type DiskValues = StateOf<typeof DISK_VALUES>;
