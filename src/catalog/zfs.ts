/** The rows of a ZFS pool (`B/zfs/<node>/<pool>`, CONTRACT 8). */
import { countSensor, gibSensor, ON_OFF, percentSensor } from "./entities.js";
import { rowsFor, type StateOf } from "./row.js";
import type { ZfsSource } from "./sources.js";

const row = rowsFor<ZfsSource>();

export const ZFS_VALUES = [
  row("node", (s) => s.pool.node),
  row("pool", (s) => s.pool.pool, { panel: "text" }),
  row("health", (s) => s.pool.health, {
    entity: {
      component: "binary_sensor",
      deviceClass: "problem",
      template: "{{ 'None' if value_json.health is none else ('OFF' if value_json.health == 'ONLINE' else 'ON') }}",
      ...ON_OFF,
    },
    metric: { name: "pve_zfs_pool_online", help: "1 when the pool is ONLINE", value: (health) => (health === null ? null : health === "ONLINE" ? 1 : 0) },
    panel: "text",
  }),
  row("size", (s) => s.pool.size, { metric: { name: "pve_zfs_pool_size_bytes", help: "ZFS pool size" }, panel: "bytes" }),
  row("used", (s) => s.pool.used, { entity: gibSensor("used", { icon: "mdi:database" }), metric: { name: "pve_zfs_pool_used_bytes", help: "ZFS pool allocated" }, panel: "bytes" }),
  row("free", (s) => s.pool.free, { entity: gibSensor("free", { icon: "mdi:database" }), metric: { name: "pve_zfs_pool_free_bytes", help: "ZFS pool free" }, panel: "bytes" }),
  row("used_percent", (s) => s.pool.used_percent, { entity: percentSensor({ icon: "mdi:database" }), panel: "percent" }),
  row("fragmentation", (s) => s.pool.fragmentation, {
    entity: percentSensor({ icon: "mdi:puzzle", precision: 0 }),
    metric: { name: "pve_zfs_pool_fragmentation_percent", help: "ZFS pool fragmentation" },
    panel: "percent",
  }),
  row("dedup", (s) => s.pool.dedup, {
    entity: countSensor("mdi:content-duplicate", { precision: 2, category: "diagnostic" }),
    metric: { name: "pve_zfs_pool_dedup_ratio", help: "ZFS pool deduplication ratio" },
  }),
] as const;

export type ZfsValues = StateOf<typeof ZFS_VALUES>;
