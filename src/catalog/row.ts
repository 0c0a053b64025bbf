/*
 * One row per value. A row declares, in one place, a field of a device's state JSON, how it is
 * computed from that device's source (the inventory and what the bridge knows of it), its Home
 * Assistant entity, its Prometheus gauge and whether the web panel shows it. The state JSON, its
 * TypeScript type, the discovery configs, /metrics, the panel's columns and docs/entities.md are
 * all derived from these rows (see CONTRIBUTING.md, "Adding a value").
 */
import type { Config } from "../config/schema.js";

/** The Home Assistant side of a row (CONTRACT section 5). */
export interface EntitySpec {
  /** Object id suffix and translation key `<kind>.<key>`; defaults to the row's field. */
  key?: string;
  component: "sensor" | "binary_sensor" | "button" | "update" | "switch" | "event";
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
  attributes?: string | readonly string[];
  /** Guest rows that exist for one kind only. */
  only?: "qemu" | "lxc";
  /** The entity exists only when this holds (buttons of allowed actions). */
  when?: (config: Config) => boolean;
  /** The entity exists only on a device that has this feature (the cluster's Ceph health). */
  requires?: "ceph";
  /**
   * Read another topic than the device's state: `B/bridge/state` (plain online/offline) instead of
   * the `B/bridge/info` JSON, or `B/bridge/event` (PVE notifications).
   */
  source?: "state" | "info" | "event";
  /** Extra discovery keys this component needs (update entities, switches, events). */
  extra?: Record<string, unknown>;
}

/** A Prometheus gauge read from the row's value at scrape time. */
export interface MetricSpec<V = unknown> {
  name: string;
  help: string;
  /** The gauge's value from the state value; default: the value itself when it is a number. */
  value?(value: V): number | null;
}

/** How the web panel shows a value. */
export type PanelFormat = "percent" | "bytes" | "rate" | "duration" | "time" | "text" | "number" | "bool";

/** A field of the state JSON, computed from the device's source `S`. */
export interface ValueRow<S, F extends string = string, V = unknown> {
  field: F;
  get: (source: S) => V;
  entity?: EntitySpec;
  metric?: MetricSpec<V>;
  panel?: PanelFormat;
}

/** An entity that reads no field of its own (a button, the bridge's connection state). */
export interface ControlRow {
  field?: undefined;
  entity: EntitySpec;
  metric?: undefined;
}

/** A Prometheus gauge of a value the state JSON does not carry (cumulative counters). */
export interface MeterRow<S> {
  field?: undefined;
  entity?: undefined;
  metric: MetricSpec<number | null>;
  get: (source: S) => number | null;
}

export type Row<S> = ValueRow<S, string, unknown> | ControlRow | MeterRow<S>;

/** Builds value rows for source `S`, keeping each field's name and type for the state type. */
export function rowsFor<S>() {
  return <F extends string, V>(field: F, get: (source: S) => V, extra: Omit<ValueRow<S, F, V>, "field" | "get"> = {}): ValueRow<S, F, V> => ({
    field,
    get,
    ...extra,
  });
}

/** The state JSON type of a list of rows: each value row's field with its getter's type. */
export type StateOf<Rows extends readonly unknown[]> = {
  -readonly [R in Rows[number] as R extends ValueRow<never, infer F, unknown> ? F : never]: R extends ValueRow<never, string, infer V> ? V : never;
};

export function isValueRow<S>(row: Row<S>): row is ValueRow<S> {
  return row.field !== undefined;
}

/** A row with a Prometheus gauge: a value row that asks for one, or a meter row. */
export type MeasuredRow<S> = (ValueRow<S> | MeterRow<S>) & { metric: MetricSpec<never> };

export function hasMetric<S>(row: Row<S>): row is MeasuredRow<S> {
  return row.metric !== undefined;
}

export function hasEntity<S>(row: Row<S>): row is Row<S> & { entity: EntitySpec } {
  return row.entity !== undefined;
}

/** The entity key of a row: its own, else its field. */
export function entityKey(row: Row<never>): string {
  return row.entity?.key ?? row.field ?? "";
}
