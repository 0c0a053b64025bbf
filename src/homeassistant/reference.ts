import type { Config } from "../config/schema.js";
import { ConfigSchema, parseHost } from "../config/schema.js";
import { CATALOG, translationKey, type DeviceKind, type EntityRow } from "./catalog.js";
import { loadTranslations } from "./translations.js";

const KIND_TITLES: Record<DeviceKind, string> = {
  node: "Node (`B/node/<node>`)",
  guest: "VM and container (`B/qemu/<vmid>`, `B/lxc/<vmid>`)",
  storage: "Storage (`B/storage/<node>/<storage>`)",
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

function describeRow(row: EntityRow): string {
  if (row.component === "button") return `press → publishes \`${row.action ?? "refresh"}\``;
  const parts: string[] = [];
  if (row.deviceClass) parts.push(row.deviceClass);
  if (row.unit) parts.push(row.unit);
  if (row.category) parts.push(row.category);
  if (row.enabledByDefault === false) parts.push("disabled by default");
  if (row.only) parts.push(`${row.only} only`);
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
    "Generated from `src/homeassistant/catalog.ts` by `npm run docs` — do not edit by hand.",
    "Each entity reads one field of its device's state JSON (section *Topics* in the README);",
    "buttons publish a bare action word on the device's `/set` topic.",
    "",
  ];
  for (const kind of Object.keys(CATALOG) as DeviceKind[]) {
    lines.push(`## ${KIND_TITLES[kind]}`, "", "| entity | name (en) | component | state field | details |", "|---|---|---|---|---|");
    for (const row of CATALOG[kind]) {
      const condition = row.when && !row.when(config) ? " (conditional)" : row.when ? " (when allowed)" : "";
      const field = row.field ? `\`${row.field}\`` : "—";
      lines.push(`| \`${row.key}\` | ${names[translationKey(kind, row)] ?? row.key} | ${row.component} | ${field} | ${describeRow(row)}${condition} |`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
