/** The rows of a storage (`B/storage/<node>/<storage>`). */
import { percent, wholeBytes } from "../state/format.js";
import { gibSensor, onOffSensor, percentSensor, refreshButton } from "./entities.js";
import { rowsFor, type StateOf } from "./row.js";
import type { StorageSource } from "./sources.js";

const row = rowsFor<StorageSource>();

export const STORAGE_VALUES = [
  row("node", (s) => s.storage.node),
  row("storage", (s) => s.storage.storage, { panel: "text" }),
  row("type", (s) => s.storage.type, { panel: "text" }),
  row("status", (s) => s.storage.status, {
    metric: { name: "pve_storage_up", help: "1 when the storage is available", value: (status) => (status === "available" ? 1 : 0) },
    panel: "text",
  }),
  // No device class: "On/Off" reads right for a mounted/activated storage, where `running` or
  // `connectivity` would not (a local directory is neither).
  row("active", (s) => s.storage.active, { entity: onOffSensor("active", { icon: "mdi:database-check", reportsReachability: true }) }),
  row("shared", (s) => s.storage.shared),
  row("content", (s) => s.storage.content, { panel: "text" }),
  row("used", (s) => wholeBytes(s.storage.used), {
    entity: gibSensor("used", { icon: "mdi:database" }),
    metric: { name: "pve_storage_used_bytes", help: "Storage used" },
    panel: "bytes",
  }),
  row("total", (s) => wholeBytes(s.storage.total), {
    entity: gibSensor("total", { icon: "mdi:database" }),
    metric: { name: "pve_storage_total_bytes", help: "Storage size" },
    panel: "bytes",
  }),
  row("available", (s) => wholeBytes(s.storage.available), { entity: gibSensor("available", { icon: "mdi:database" }) }),
  row("used_percent", (s) => percent(s.storage.used, s.storage.total), { entity: percentSensor({ icon: "mdi:database" }), panel: "percent" }),
] as const;

export const STORAGE_CONTROLS = [refreshButton];

export type StorageValues = StateOf<typeof STORAGE_VALUES>;
