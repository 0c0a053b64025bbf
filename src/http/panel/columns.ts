/** What the panel shows of each device kind: one column per state field, in this order. */
export interface PanelColumn {
  kind: "node" | "guest" | "storage" | "disk" | "zfs";
  /** The state field (CONTRACT section 4 / 8). A field a state does not have yet shows as "—". */
  field: string;
  /** A translation key (panel texts, then entity names), or the text itself. */
  label: string;
  format: "percent" | "bytes" | "rate" | "duration" | "time" | "text" | "number" | "bool";
}

const column = (kind: PanelColumn["kind"], field: string, format: PanelColumn["format"], label = `${kind}.${field}`): PanelColumn => ({ kind, field, label, format });

/** The default columns until the lead derives them from the entity catalog. */
export const DEFAULT_COLUMNS: readonly PanelColumn[] = [
  column("node", "status", "text", "panel.status"),
  column("node", "cpu", "percent"),
  column("node", "memory_percent", "percent"),
  column("node", "memory_used", "bytes"),
  column("node", "load_1", "number"),
  column("node", "io_delay", "percent", "panel.io_delay"),
  column("node", "uptime", "duration"),
  column("node", "pve_version", "text"),
  column("node", "updates", "number", "panel.updates"),
  column("guest", "type", "text", "panel.type"),
  column("guest", "vmid", "text", "panel.vmid"),
  column("guest", "name", "text", "panel.name"),
  column("guest", "status", "text"),
  column("guest", "cpu", "percent"),
  column("guest", "memory_used", "bytes"),
  column("guest", "memory_percent", "percent"),
  column("guest", "disk_total", "bytes"),
  column("guest", "ip", "text"),
  column("guest", "uptime", "duration"),
  column("guest", "snapshots", "number"),
  column("guest", "last_backup", "time"),
  column("guest", "last_backup_status", "text", "panel.last_backup_status"),
  column("guest", "backup_progress", "percent", "panel.backup_progress"),
  column("storage", "storage", "text", "panel.name"),
  column("storage", "type", "text", "panel.type"),
  column("storage", "status", "text", "panel.status"),
  column("storage", "used_percent", "percent"),
  column("storage", "used", "bytes"),
  column("storage", "total", "bytes"),
  column("storage", "content", "text", "panel.content"),
  column("disk", "device", "text", "panel.device"),
  column("disk", "model", "text", "panel.model"),
  column("disk", "type", "text", "panel.type"),
  column("disk", "size", "bytes", "panel.size"),
  column("disk", "health", "text", "panel.disk_health"),
  column("disk", "wearout", "percent", "panel.wearout"),
  column("disk", "temperature", "number", "panel.temperature"),
  column("zfs", "pool", "text", "panel.name"),
  column("zfs", "health", "text", "panel.disk_health"),
  column("zfs", "used_percent", "percent", "panel.used_percent"),
  column("zfs", "size", "bytes", "panel.size"),
  column("zfs", "free", "bytes", "panel.free"),
  column("zfs", "fragmentation", "percent", "panel.fragmentation"),
];
