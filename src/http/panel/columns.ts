import { CATALOG, entityKey, isValueRow, translationKey, type Row } from "../../catalog/index.js";

/** What the panel shows of each device kind: one column per state field, in this order. */
export interface PanelColumn {
  kind: "node" | "guest" | "storage" | "disk" | "zfs";
  /** The state field (CONTRACT section 4 / 8). A field a state does not have yet shows as "—". */
  field: string;
  /** A translation key (panel texts, then entity names), or the text itself. */
  label: string;
  format: "percent" | "bytes" | "rate" | "duration" | "time" | "text" | "number" | "bool";
}

const PANEL_KINDS = ["node", "guest", "storage", "disk", "zfs"] as const;

/**
 * The panel's columns, from the catalog: every value row that says how the panel shows it, in the
 * catalog's order. A column's label is the panel's own text for the field when it has one, else
 * the name of the row's entity.
 */
export function catalogColumns(texts: Readonly<Record<string, string>>): PanelColumn[] {
  return PANEL_KINDS.flatMap((kind) => {
    const rows: readonly Row<never>[] = CATALOG[kind];
    return rows.filter(isValueRow).flatMap((row) => {
      if (!row.panel) return [];
      const own = `panel.${row.field}`;
      const label = own in texts || !row.entity ? own : translationKey(kind, entityKey(row));
      return [{ kind, field: row.field, label, format: row.panel }];
    });
  });
}
