/*
 * Home Assistant MQTT discovery payloads, built from the catalog (CONTRACT section 5). Pure: the
 * bridge publishes each message retained with QoS 1.
 *
 * - entity mode: one config per entity at `<prefix>/<component>/pve2mqtt_<cid>/<object id>/config`;
 * - device mode: one config per device at `<prefix>/device/pve2mqtt_<cid>_<device slug>/config`
 *   with `components`. A row the config turns off (a disallowed action's button) is sent as
 *   `{ platform }` alone, Home Assistant's way to remove a component an earlier config created.
 *
 * Full key names only (no abbreviations), `default_entity_id` (never the deprecated `object_id`).
 */
import type { GuestInfo, NodeInfo, StorageInfo } from "../inventory/types.js";
import { PROJECT_URL } from "../version.js";
import { CATALOG, entityKey, hasEntity, translationKey, type EntitySpec, type Row } from "../catalog/index.js";
import type { DiskInfo } from "../inventory/disks.js";
import type { ZfsPoolInfo } from "../inventory/zfs.js";
import { describeBridge, describeCluster, describeDisk, describeGuest, describeNode, describeStorage, describeZfsPool, type DeviceContext, type DeviceDescriptor } from "./devices.js";
import { fieldsAttributes, objectAttributes } from "./templates.js";
import { bridgeTopic } from "./topics.js";
import type { Translations } from "./translations.js";

export interface DiscoveryContext extends DeviceContext {
  translations: Translations;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

/** Which device a discovery is for. */
export type DiscoveryTarget =
  | { kind: "bridge" }
  | { kind: "node"; node: NodeInfo }
  | { kind: "guest"; guest: GuestInfo }
  | { kind: "storage"; storage: StorageInfo }
  | { kind: "cluster"; hasCeph: boolean }
  | { kind: "disk"; disk: DiskInfo }
  | { kind: "zfs"; pool: ZfsPoolInfo };

function describe(ctx: DiscoveryContext, target: DiscoveryTarget): DeviceDescriptor {
  switch (target.kind) {
    case "bridge":
      return describeBridge(ctx);
    case "node":
      return describeNode(ctx, target.node);
    case "guest":
      return describeGuest(ctx, target.guest);
    case "storage":
      return describeStorage(ctx, target.storage);
    case "cluster":
      return describeCluster(ctx, target.hasCeph);
    case "disk":
      return describeDisk(ctx, target.disk);
    case "zfs":
      return describeZfsPool(ctx, target.pool);
  }
}

/** An entity of a device: its catalog row's entity, its key and the state field it reads. */
interface EntityRow extends EntitySpec {
  key: string;
  field: string | undefined;
}

/** The entities this device has at all (a row's `only` matches its guest kind). */
function rowsOf(device: DeviceDescriptor): EntityRow[] {
  const rows: readonly Row<never>[] = CATALOG[device.kind];
  return rows
    .filter(hasEntity)
    .filter((row) => !row.entity.only || row.entity.only === device.guestKind)
    .filter((row) => !row.entity.requires || device.features.has(row.entity.requires))
    .map((row) => ({ ...row.entity, key: entityKey(row), field: row.field }));
}

function isActive(ctx: DiscoveryContext, row: EntityRow): boolean {
  return !row.when || row.when(ctx.config);
}

function objectId(device: DeviceDescriptor, row: EntityRow): string {
  return `${device.slug}_${row.key}`;
}

function origin(ctx: DiscoveryContext): Record<string, unknown> {
  return { name: "pve2mqtt", sw_version: ctx.bridgeVersion, support_url: PROJECT_URL };
}

function availability(ctx: DiscoveryContext, device: DeviceDescriptor, row: EntityRow): Record<string, unknown> {
  const topics = [bridgeTopic(ctx.config.mqtt.base_topic, "state")];
  if (!row.reportsReachability && device.availabilityTopic) topics.push(device.availabilityTopic);
  return {
    availability: topics.map((topic) => ({ topic, payload_available: "online", payload_not_available: "offline" })),
    availability_mode: "all",
  };
}

function stateKeys(ctx: DiscoveryContext, device: DeviceDescriptor, row: EntityRow): Record<string, unknown> {
  if (row.component === "button") {
    return { command_topic: device.commandTopic, payload_press: row.action ?? row.key, retain: false };
  }
  if (row.source === "state") return { state_topic: bridgeTopic(ctx.config.mqtt.base_topic, "state") };
  if (row.source === "event") return { state_topic: bridgeTopic(ctx.config.mqtt.base_topic, "event") };
  const keys: Record<string, unknown> = {
    state_topic: device.stateTopic,
    value_template: row.template ?? `{{ value_json.${row.field ?? row.key} }}`,
  };
  if (row.attributes !== undefined) {
    keys.json_attributes_topic = device.stateTopic;
    keys.json_attributes_template = typeof row.attributes === "string" ? objectAttributes(row.attributes) : fieldsAttributes(row.attributes);
  }
  return keys;
}

/** One entity's config without `device` and `origin` (shared by both modes). */
function entityConfig(ctx: DiscoveryContext, device: DeviceDescriptor, row: EntityRow): Record<string, unknown> {
  const uniqueId = `pve2mqtt_${ctx.cid}_${objectId(device, row)}`;
  const config: Record<string, unknown> = {
    name: ctx.translations[translationKey(device.kind, row.key)] ?? row.key,
    unique_id: uniqueId,
    default_entity_id: `${row.component}.${uniqueId}`,
    ...availability(ctx, device, row),
    ...stateKeys(ctx, device, row),
    qos: 1,
  };
  const optional: Record<string, unknown> = {
    device_class: row.deviceClass,
    unit_of_measurement: row.unit,
    state_class: row.stateClass,
    suggested_display_precision: row.precision,
    options: row.options ? [...row.options] : undefined,
    payload_on: row.payloadOn,
    payload_off: row.payloadOff,
    entity_category: row.category,
    icon: row.icon,
    enabled_by_default: row.enabledByDefault === false ? false : undefined,
    ...row.extra,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) config[key] = value;
  return config;
}

function entityMessages(ctx: DiscoveryContext, device: DeviceDescriptor): DiscoveryMessage[] {
  const prefix = ctx.config.homeassistant.discovery_prefix;
  return rowsOf(device)
    .filter((row) => isActive(ctx, row))
    .map((row) => ({
      topic: `${prefix}/${row.component}/pve2mqtt_${ctx.cid}/${objectId(device, row)}/config`,
      payload: { ...entityConfig(ctx, device, row), device: device.device, origin: origin(ctx) },
    }));
}

function deviceMessage(ctx: DiscoveryContext, device: DeviceDescriptor): DiscoveryMessage {
  const components: Record<string, unknown> = {};
  for (const row of rowsOf(device)) {
    components[objectId(device, row)] = isActive(ctx, row) ? { platform: row.component, ...entityConfig(ctx, device, row) } : { platform: row.component };
  }
  return {
    topic: `${ctx.config.homeassistant.discovery_prefix}/device/pve2mqtt_${ctx.cid}_${device.slug}/config`,
    payload: { device: device.device, origin: origin(ctx), components },
  };
}

/** The discovery messages of one device in the configured mode. */
export function discoveryFor(ctx: DiscoveryContext, target: DiscoveryTarget): DiscoveryMessage[] {
  const device = describe(ctx, target);
  return ctx.config.homeassistant.discovery === "device" ? [deviceMessage(ctx, device)] : entityMessages(ctx, device);
}

export function bridgeDiscovery(ctx: DiscoveryContext): DiscoveryMessage[] {
  return discoveryFor(ctx, { kind: "bridge" });
}
export function nodeDiscovery(ctx: DiscoveryContext, node: NodeInfo): DiscoveryMessage[] {
  return discoveryFor(ctx, { kind: "node", node });
}
export function guestDiscovery(ctx: DiscoveryContext, guest: GuestInfo): DiscoveryMessage[] {
  return discoveryFor(ctx, { kind: "guest", guest });
}
export function storageDiscovery(ctx: DiscoveryContext, storage: StorageInfo): DiscoveryMessage[] {
  return discoveryFor(ctx, { kind: "storage", storage });
}

/**
 * Entity mode: the discovery topics of this device's entities that the config turns off (buttons
 * of actions not allowed). Publish an empty retained payload to each to remove a button an earlier
 * config created; harmless when none exists. Device mode returns none (its `{ platform }` stubs
 * do this).
 */
export function retiredDiscoveryTopics(ctx: DiscoveryContext, target: DiscoveryTarget): string[] {
  if (ctx.config.homeassistant.discovery === "device") return [];
  const device = describe(ctx, target);
  const prefix = ctx.config.homeassistant.discovery_prefix;
  return rowsOf(device)
    .filter((row) => !isActive(ctx, row))
    .map((row) => `${prefix}/${row.component}/pve2mqtt_${ctx.cid}/${objectId(device, row)}/config`);
}

/** Every discovery topic of one device in the configured mode, active rows or not: to clear a vanished device. */
export function deviceDiscoveryTopics(ctx: DiscoveryContext, target: DiscoveryTarget): string[] {
  const device = describe(ctx, target);
  const prefix = ctx.config.homeassistant.discovery_prefix;
  if (ctx.config.homeassistant.discovery === "device") return [`${prefix}/device/pve2mqtt_${ctx.cid}_${device.slug}/config`];
  return rowsOf(device).map((row) => `${prefix}/${row.component}/pve2mqtt_${ctx.cid}/${objectId(device, row)}/config`);
}
