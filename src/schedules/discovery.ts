/*
 * Home Assistant discovery of the schedule devices (one per schedule, via the bridge), built like
 * the other devices' (src/homeassistant/discovery.ts): full key names, `default_entity_id`,
 * entity or device mode. A schedule exists while the bridge is online: its entities' availability
 * is the bridge state alone.
 */
import { bridgeIdentifier, type DeviceContext } from "../homeassistant/devices.js";
import type { DiscoveryMessage } from "../homeassistant/discovery.js";
import { fieldsAttributes, objectAttributes } from "../homeassistant/templates.js";
import { bridgeTopic } from "../homeassistant/topics.js";
import type { Translations } from "../homeassistant/translations.js";
import { PROJECT_URL } from "../version.js";
import { SCHEDULE_DEVICE_NAME_KEY, SCHEDULE_ROWS, type ScheduleEntityRow } from "./entities.js";

export interface ScheduleDiscoveryContext extends DeviceContext {
  translations: Translations;
}

/** `B/schedule/<name>`: the schedule's retained state. */
export function scheduleTopic(base: string, name: string): string {
  return `${base}/schedule/${name}`;
}

function deviceSlug(name: string): string {
  return `schedule_${name}`;
}

function objectId(name: string, row: ScheduleEntityRow): string {
  return `${deviceSlug(name)}_${row.key}`;
}

function device(ctx: ScheduleDiscoveryContext, name: string): Record<string, unknown> {
  const template = ctx.translations[SCHEDULE_DEVICE_NAME_KEY] ?? "Schedule {name}";
  const block: Record<string, unknown> = {
    identifiers: [`pve2mqtt_${ctx.cid}_${deviceSlug(name)}`],
    name: template.replace("{name}", name),
    manufacturer: "pve2mqtt",
    model: "pve2mqtt schedule",
    sw_version: ctx.bridgeVersion,
    via_device: bridgeIdentifier(ctx.cid),
  };
  if (ctx.config.homeassistant.suggested_area) block.suggested_area = ctx.config.homeassistant.suggested_area;
  return block;
}

function entityConfig(ctx: ScheduleDiscoveryContext, name: string, row: ScheduleEntityRow): Record<string, unknown> {
  const base = ctx.config.mqtt.base_topic;
  const state = scheduleTopic(base, name);
  const uniqueId = `pve2mqtt_${ctx.cid}_${objectId(name, row)}`;
  const config: Record<string, unknown> = {
    name: ctx.translations[`schedule.${row.key}`] ?? row.key,
    unique_id: uniqueId,
    default_entity_id: `${row.component}.${uniqueId}`,
    availability: [{ topic: bridgeTopic(base, "state"), payload_available: "online", payload_not_available: "offline" }],
    availability_mode: "all",
    qos: 1,
  };
  if (row.component === "button") Object.assign(config, { command_topic: `${state}/set`, payload_press: row.action ?? row.key, retain: false });
  else config.state_topic = state;
  if (row.component === "switch") Object.assign(config, { command_topic: `${state}/set`, payload_on: row.payloadOn, payload_off: row.payloadOff, state_on: "ON", state_off: "OFF", retain: false });
  if (row.component !== "button") config.value_template = row.template ?? `{{ value_json.${row.field ?? row.key} }}`;
  if (row.attributesField !== undefined) {
    config.json_attributes_topic = state;
    config.json_attributes_template = typeof row.attributesField === "string" ? objectAttributes(row.attributesField) : fieldsAttributes(row.attributesField);
  }
  const optional: Record<string, unknown> = {
    device_class: row.deviceClass,
    options: row.options ? [...row.options] : undefined,
    entity_category: row.category,
    icon: row.icon,
    enabled_by_default: row.enabledByDefault === false ? false : undefined,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) config[key] = value;
  return config;
}

function origin(ctx: ScheduleDiscoveryContext): Record<string, unknown> {
  return { name: "pve2mqtt", sw_version: ctx.bridgeVersion, support_url: PROJECT_URL };
}

/** The discovery messages of one schedule in the configured mode (publish retained, QoS 1). */
export function scheduleDiscovery(ctx: ScheduleDiscoveryContext, name: string): DiscoveryMessage[] {
  const prefix = ctx.config.homeassistant.discovery_prefix;
  if (ctx.config.homeassistant.discovery === "device") {
    const components: Record<string, unknown> = {};
    for (const row of SCHEDULE_ROWS) components[objectId(name, row)] = { platform: row.component, ...entityConfig(ctx, name, row) };
    return [{ topic: `${prefix}/device/pve2mqtt_${ctx.cid}_${deviceSlug(name)}/config`, payload: { device: device(ctx, name), origin: origin(ctx), components } }];
  }
  return SCHEDULE_ROWS.map((row) => ({
    topic: `${prefix}/${row.component}/pve2mqtt_${ctx.cid}/${objectId(name, row)}/config`,
    payload: { ...entityConfig(ctx, name, row), device: device(ctx, name), origin: origin(ctx) },
  }));
}

/** Every discovery topic a schedule may have had, to clear one that left the config. */
export function scheduleDiscoveryTopics(ctx: ScheduleDiscoveryContext, name: string): string[] {
  const prefix = ctx.config.homeassistant.discovery_prefix;
  return [
    `${prefix}/device/pve2mqtt_${ctx.cid}_${deviceSlug(name)}/config`,
    ...SCHEDULE_ROWS.map((row) => `${prefix}/${row.component}/pve2mqtt_${ctx.cid}/${objectId(name, row)}/config`),
  ];
}
