/*
 * The entities of a schedule device (its state is built by state.ts, not from catalog rows: a
 * schedule's values come from its runs, not from the inventory). Translation keys: `schedule.<key>`,
 * and `schedule.device` for the device's name ("{name}" is the schedule's).
 *
 * The catalog's rows have no `switch` yet: the enable switch is the one row that needs it. It
 * publishes `payloadOn` / `payloadOff` on the command topic and reads ON / OFF from the state.
 */
import type { EntitySpec } from "../catalog/index.js";
import type { ScheduleState } from "./state.js";

export type ScheduleField = keyof ScheduleState;

export interface ScheduleEntityRow extends Omit<EntitySpec, "key" | "component" | "attributes"> {
  key: string;
  component: "sensor" | "button" | "switch";
  field?: ScheduleField;
  attributesField?: readonly ScheduleField[];
}

export const SCHEDULE_DEVICE_NAME_KEY = "schedule.device";

export const SCHEDULE_ROWS: readonly ScheduleEntityRow[] = [
  { key: "next_run", component: "sensor", field: "next_run", deviceClass: "timestamp", icon: "mdi:calendar-clock" },
  { key: "last_run", component: "sensor", field: "last_run", deviceClass: "timestamp", icon: "mdi:calendar-check" },
  {
    key: "last_result",
    component: "sensor",
    field: "last_result",
    deviceClass: "enum",
    options: ["ok", "partial", "error"],
    attributesField: ["guests_ok", "guests_failed", "last_error", "action", "cron"],
    icon: "mdi:clipboard-check-outline",
  },
  {
    key: "enabled",
    component: "switch",
    field: "enabled",
    template: "{{ 'ON' if value_json.enabled else 'OFF' }}",
    payloadOn: '{"enabled": true}',
    payloadOff: '{"enabled": false}',
    icon: "mdi:calendar-sync",
    category: "config",
  },
  { key: "run", component: "button", action: "run", icon: "mdi:play-circle-outline" },
];
