import type { Config } from "../config/schema.js";
import { ConfigSchema, parseHost } from "../config/schema.js";
import { loadTranslations } from "../homeassistant/translations.js";
import { CATALOG, entityKey, hasEntity, isValueRow, translationKey, type DeviceKind, type EntitySpec, type Row } from "./index.js";

const KIND_TITLES: Record<DeviceKind, string> = {
  node: "Node (`B/node/<node>`)",
  guest: "VM and container (`B/qemu/<vmid>`, `B/lxc/<vmid>`)",
  storage: "Storage (`B/storage/<node>/<storage>`)",
  cluster: "Cluster (`B/cluster`)",
  disk: "Physical disk (`B/disk/<node>/<disk>`)",
  zfs: "ZFS pool (`B/zfs/<node>/<pool>`)",
  bridge: "Bridge (`B/bridge/info`, `B/bridge/state`)",
};

/** A config with every action and node power on, so the reference lists every possible entity. */
function everythingConfig(): Config {
  const raw = ConfigSchema.parse({ proxmox: { hosts: "192.0.2.1" }, commands: { node_power: true } });
  return {
    ...raw,
    proxmox: { ...raw.proxmox, hosts: [parseHost("192.0.2.1", 8006)!], fingerprint: [], user: "x@pve", auth: { kind: "password", password: "x" } },
  } as Config;
}

function describeEntity(entity: EntitySpec): string {
  if (entity.component === "button") return `press → publishes \`${entity.action ?? "refresh"}\``;
  const parts: string[] = [];
  if (entity.deviceClass) parts.push(entity.deviceClass);
  if (entity.unit) parts.push(entity.unit);
  if (entity.category) parts.push(entity.category);
  if (entity.enabledByDefault === false) parts.push("disabled by default");
  if (entity.only) parts.push(`${entity.only} only`);
  return parts.join(", ");
}

/**
 * The Home Assistant entity reference, generated from the catalog (docs/entities.md).
 * `npm run docs` rewrites the file; a test fails when the committed one differs.
 */
export function renderEntityReference(): string {
  const names = loadTranslations("en");
  const config = everythingConfig();
  const lines = [
    "# Home Assistant entities",
    "",
    "Generated from the catalog (`src/catalog/`) by `npm run docs` — do not edit by hand.",
    "Each entity reads one field of its device's state JSON ([state reference](states.md));",
    "buttons publish a bare action word on the device's `/set` topic.",
    "",
  ];
  for (const kind of Object.keys(CATALOG) as DeviceKind[]) {
    lines.push(`## ${KIND_TITLES[kind]}`, "", "| entity | name (en) | component | state field | details |", "|---|---|---|---|---|");
    const rows: readonly Row<never>[] = CATALOG[kind];
    for (const row of rows.filter(hasEntity)) {
      const entity = row.entity;
      const key = entityKey(row);
      const condition = entity.when && !entity.when(config) ? " (conditional)" : entity.when ? " (when allowed)" : "";
      const field = row.field ? `\`${row.field}\`` : "—";
      lines.push(`| \`${key}\` | ${names[translationKey(kind, key)] ?? key} | ${entity.component} | ${field} | ${describeEntity(entity)}${condition} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** The state JSON reference, generated from the catalog (docs/states.md). */
export function renderStateReference(): string {
  const lines = [
    "# State fields",
    "",
    "Generated from the catalog (`src/catalog/`) by `npm run docs` — do not edit by hand.",
    "Every field is always present (`null` when not known); every state also ends with `last_seen`,",
    "the ISO time of the last complete poll that had the device. Sizes are bytes, rates bytes/s,",
    "durations seconds, percentages 0–100, times ISO-8601 UTC.",
    "",
  ];
  for (const kind of Object.keys(CATALOG) as DeviceKind[]) {
    if (kind === "bridge") continue;
    lines.push(`## ${KIND_TITLES[kind]}`, "", "| field | Home Assistant entity | Prometheus gauge | panel |", "|---|---|---|---|");
    const rows: readonly Row<never>[] = CATALOG[kind];
    for (const row of rows.filter(isValueRow)) {
      const entity = row.entity ? `\`${entityKey(row)}\` (${row.entity.component})` : "—";
      const metric = row.metric ? `\`${row.metric.name}\`` : "—";
      lines.push(`| \`${row.field}\` | ${entity} | ${metric} | ${row.panel ?? "—"} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
