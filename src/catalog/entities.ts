/*
 * Shorthands for the Home Assistant side of common rows.
 *
 * - Sizes are GiB and rates kB/s through value templates; the state JSON stays in bytes.
 * - Binary sensors render ON / OFF, or `None` (unknown) when the value is not known.
 * - `uptime` is disabled by default: it changes on every poll; `boot_time` ("started at") is the
 *   timestamp Home Assistant shows as a relative time without recording a new state each poll.
 * - Power, snapshot and backup buttons have no entity category (they are the device's main
 *   controls); `refresh` is `diagnostic` (it changes nothing, it re-reads).
 * - Action buttons need `commands.enabled`: a read-only bridge shows no action buttons at all.
 */
import type { Config, GuestAction, NodeAction } from "../config/schema.js";
import { gib, kbPerSecond, onOff } from "../homeassistant/templates.js";
import type { ControlRow, EntitySpec } from "./row.js";

type Extra = Partial<EntitySpec>;

export const ON_OFF = { payloadOn: "ON", payloadOff: "OFF" } as const;

export function percentSensor(extra: Extra = {}): EntitySpec {
  return { component: "sensor", unit: "%", stateClass: "measurement", precision: 1, ...extra };
}
/** `field` is the row's own field: the template reads it. */
export function gibSensor(field: string, extra: Extra = {}): EntitySpec {
  return { component: "sensor", deviceClass: "data_size", unit: "GiB", stateClass: "measurement", precision: 2, template: gib(field), ...extra };
}
export function rateSensor(field: string, icon: string): EntitySpec {
  return { component: "sensor", deviceClass: "data_rate", unit: "kB/s", stateClass: "measurement", precision: 1, template: kbPerSecond(field), icon };
}
export function timestampSensor(extra: Extra = {}): EntitySpec {
  return { component: "sensor", deviceClass: "timestamp", ...extra };
}
export function textSensor(icon: string, extra: Extra = {}): EntitySpec {
  return { component: "sensor", icon, ...extra };
}
export function countSensor(icon: string, extra: Extra = {}): EntitySpec {
  return { component: "sensor", stateClass: "measurement", precision: 0, icon, ...extra };
}
export function uptimeSensor(): EntitySpec {
  return { component: "sensor", deviceClass: "duration", unit: "s", precision: 0, category: "diagnostic", enabledByDefault: false };
}
export function diagnostic(icon: string): EntitySpec {
  return textSensor(icon, { category: "diagnostic" });
}
export function onOffSensor(field: string, extra: Extra = {}): EntitySpec {
  return { component: "binary_sensor", template: onOff(field), ...ON_OFF, ...extra };
}

const actionsEnabled = (config: Config): boolean => config.commands.enabled;

export function guestButton(action: GuestAction, icon: string, extra: Extra = {}): ControlRow {
  return { entity: { key: action, component: "button", action, icon, when: (config) => actionsEnabled(config) && config.commands.allow.includes(action), ...extra } };
}
export function nodeButton(action: NodeAction, icon: string, extra: Extra = {}): ControlRow {
  return { entity: { key: action, component: "button", action, icon, when: (config) => actionsEnabled(config) && config.commands.node_power, ...extra } };
}
/** `refresh` is allowed even on a read-only bridge. */
export const refreshButton: ControlRow = { entity: { key: "refresh", component: "button", action: "refresh", icon: "mdi:refresh", category: "diagnostic" } };
