/*
 * Checks discovery payloads against the rules Home Assistant's MQTT integration applies when it
 * reads them (sensor/binary_sensor/button schemas, DEVICE_CLASS_UNITS, DEVICE_CLASS_STATE_CLASSES,
 * entity categories) plus the project's own rules (CONTRACT section 5). Returns every problem
 * found, one readable line each; an empty list means valid.
 */
import type { DeviceKind } from "../../src/catalog/index.js";
import type { DiscoveryMessage } from "../../src/homeassistant/discovery.js";
import { renderTemplate } from "./jinja.js";

type Json = Record<string, unknown>;
type Component = "sensor" | "binary_sensor" | "button" | "update" | "event";

/** Units Home Assistant accepts per sensor device class (the classes this project uses). */
export const SENSOR_UNITS: Record<string, readonly string[] | null> = {
  data_size: ["bit", "kbit", "Mbit", "Gbit", "B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"],
  data_rate: ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "B/s", "kB/s", "MB/s", "GB/s", "KiB/s", "MiB/s", "GiB/s"],
  duration: ["d", "h", "min", "s", "ms", "µs"],
  temperature: ["°C", "°F", "K"],
  // null: the class takes no unit at all.
  timestamp: null,
  enum: null,
};

/** State classes Home Assistant accepts per sensor device class; [] = none allowed. */
export const SENSOR_STATE_CLASSES: Record<string, readonly string[]> = {
  data_size: ["measurement", "total", "total_increasing"],
  data_rate: ["measurement"],
  duration: ["measurement", "total", "total_increasing"],
  temperature: ["measurement"],
  timestamp: [],
  enum: [],
};
const ALL_STATE_CLASSES = ["measurement", "total", "total_increasing"];

const BINARY_SENSOR_CLASSES = [
  "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door", "gas", "heat", "light", "lock",
  "moisture", "motion", "moving", "occupancy", "opening", "plug", "power", "presence", "problem", "running", "safety", "smoke",
  "sound", "tamper", "update", "vibration", "window",
];
const BUTTON_CLASSES = ["identify", "restart", "update"];

const COMMON_KEYS = [
  "name", "unique_id", "default_entity_id", "device", "origin", "availability", "availability_mode", "availability_topic",
  "availability_template", "payload_available", "payload_not_available", "entity_category", "icon", "enabled_by_default", "qos",
  "json_attributes_topic", "json_attributes_template", "encoding", "entity_picture",
];
const KEYS: Record<Component, readonly string[]> = {
  sensor: [...COMMON_KEYS, "state_topic", "value_template", "device_class", "unit_of_measurement", "state_class", "suggested_display_precision", "options", "expire_after", "force_update", "last_reset_value_template"],
  binary_sensor: [...COMMON_KEYS, "state_topic", "value_template", "device_class", "payload_on", "payload_off", "expire_after", "force_update", "off_delay"],
  button: [...COMMON_KEYS, "command_topic", "command_template", "payload_press", "retain", "device_class"],
  update: [...COMMON_KEYS, "state_topic", "value_template", "device_class", "latest_version_topic", "latest_version_template", "release_summary", "release_url", "title", "command_topic", "payload_install"],
  event: [...COMMON_KEYS, "state_topic", "value_template", "event_types", "device_class"],
};
const DEVICE_KEYS = ["identifiers", "connections", "name", "manufacturer", "model", "model_id", "sw_version", "hw_version", "serial_number", "configuration_url", "via_device", "suggested_area"];
const ORIGIN_KEYS = ["name", "sw_version", "support_url"];
const AVAILABILITY_KEYS = ["topic", "payload_available", "payload_not_available", "value_template"];
const DEVICE_MODE_KEYS = ["device", "origin", "components", "qos", "state_topic", "command_topic", "encoding"];

/** Home Assistant's abbreviations of the keys we use: none may appear. */
const ABBREVIATIONS = new Set([
  "stat_t", "val_tpl", "uniq_id", "def_ent_id", "obj_id", "object_id", "dev", "o", "cmps", "p", "avty", "avty_t", "avty_mode", "dev_cla",
  "unit_of_meas", "stat_cla", "ent_cat", "ic", "cmd_t", "pl_prs", "pl_on", "pl_off", "json_attr_t", "json_attr_tpl", "ids", "mf",
  "mdl", "sw", "cu", "sa", "en", "sug_dsp_prc", "ops", "t", "pl_avail", "pl_not_avail", "via_dev", "sw_ver", "url",
]);

const ID = /^[a-zA-Z0-9_-]+$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export interface KindSamples {
  /** A full state payload of this kind. */
  sample: Json;
  /** The same payload with every nullable field null. */
  nullSample: Json;
}

export interface ValidationInput {
  mode: "entity" | "device";
  discoveryPrefix: string;
  messages: Array<{ kind: DeviceKind; message: DiscoveryMessage }>;
  samples: Record<DeviceKind, KindSamples> & { event: KindSamples };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(where: string, object: Json, allowed: readonly string[], problems: string[]): void {
  for (const key of Object.keys(object)) {
    if (ABBREVIATIONS.has(key)) problems.push(`${where}: abbreviated or deprecated key "${key}"`);
    else if (!allowed.includes(key)) problems.push(`${where}: unknown key "${key}"`);
  }
}

function checkDevice(where: string, device: unknown, problems: string[]): void {
  if (!isObject(device)) {
    problems.push(`${where}: device missing`);
    return;
  }
  checkKeys(`${where} device`, device, DEVICE_KEYS, problems);
  const ids = device.identifiers;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === "string" && id.startsWith("pve2mqtt_"))) {
    problems.push(`${where}: device.identifiers must be a non-empty list of pve2mqtt_… ids`);
  }
  for (const key of ["name", "model", "configuration_url"]) {
    if (typeof device[key] !== "string" || device[key] === "") problems.push(`${where}: device.${key} missing`);
  }
  if (device.manufacturer !== "Proxmox") problems.push(`${where}: device.manufacturer must be "Proxmox"`);
  if (device.via_device !== undefined && typeof device.via_device !== "string") problems.push(`${where}: device.via_device must be an identifier`);
}

function checkOrigin(where: string, origin: unknown, problems: string[]): void {
  if (!isObject(origin)) {
    problems.push(`${where}: origin missing`);
    return;
  }
  checkKeys(`${where} origin`, origin, ORIGIN_KEYS, problems);
  if (origin.name !== "pve2mqtt") problems.push(`${where}: origin.name must be "pve2mqtt"`);
  if (typeof origin.sw_version !== "string") problems.push(`${where}: origin.sw_version missing`);
  if (typeof origin.support_url !== "string" || !origin.support_url.startsWith("https://")) problems.push(`${where}: origin.support_url missing`);
}

function fieldsUsed(template: string): string[] {
  return [...template.matchAll(/value_json\.([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
}

function checkTemplates(where: string, component: Component, config: Json, samples: KindSamples, problems: string[]): void {
  const template = config.value_template;
  const attributes = config.json_attributes_template;
  for (const [name, text] of [["value_template", template], ["json_attributes_template", attributes]] as const) {
    if (text === undefined) continue;
    if (typeof text !== "string") {
      problems.push(`${where}: ${name} must be a string`);
      continue;
    }
    for (const field of fieldsUsed(text)) {
      if (!(field in samples.sample)) problems.push(`${where}: ${name} reads value_json.${field}, which the state payload does not have`);
    }
  }
  if (attributes !== undefined && config.json_attributes_topic === undefined) problems.push(`${where}: json_attributes_template without json_attributes_topic`);
  if (config.state_topic === undefined) return;

  for (const [label, payload] of [["sample", samples.sample], ["all-null sample", samples.nullSample]] as const) {
    let rendered: string;
    try {
      rendered = typeof template === "string" ? renderTemplate(template, payload) : "online";
    } catch (error) {
      problems.push(`${where}: value_template fails on the ${label}: ${(error as Error).message}`);
      continue;
    }
    checkRenderedState(`${where} (${label})`, component, config, rendered, problems);
    if (typeof attributes === "string") {
      try {
        const parsed: unknown = JSON.parse(renderTemplate(attributes, payload));
        if (!isObject(parsed)) problems.push(`${where}: json_attributes_template does not give a JSON object on the ${label}`);
      } catch (error) {
        problems.push(`${where}: json_attributes_template fails on the ${label}: ${(error as Error).message}`);
      }
    }
  }
}

function checkRenderedState(where: string, component: Component, config: Json, rendered: string, problems: string[]): void {
  const value = rendered.trim();
  if (component === "binary_sensor") {
    const allowed = [config.payload_on ?? "ON", config.payload_off ?? "OFF", "None"];
    if (typeof config.value_template === "string" && !allowed.includes(value)) problems.push(`${where}: binary state "${value}" is neither payload_on, payload_off nor None`);
    return;
  }
  if (value === "None") return; // unknown
  const deviceClass = config.device_class;
  if (deviceClass === "timestamp") {
    if (!ISO_WITH_ZONE.test(value)) problems.push(`${where}: timestamp "${value}" is not ISO-8601 with a timezone`);
  } else if (deviceClass === "enum") {
    if (!(config.options as unknown[]).includes(value)) problems.push(`${where}: "${value}" is not one of the enum options`);
  } else if (config.unit_of_measurement !== undefined || config.state_class !== undefined || config.suggested_display_precision !== undefined) {
    if (value === "" || !Number.isFinite(Number(value))) problems.push(`${where}: numeric sensor renders "${value}"`);
  } else if (value.length > 255) {
    problems.push(`${where}: text state longer than 255 characters`);
  }
}

function checkSensorClasses(where: string, config: Json, problems: string[]): void {
  const deviceClass = config.device_class as string | undefined;
  const unit = config.unit_of_measurement;
  const stateClass = config.state_class as string | undefined;
  if (deviceClass !== undefined && !(deviceClass in SENSOR_UNITS)) {
    problems.push(`${where}: sensor device_class "${deviceClass}" is not in the validator's table (add its units and state classes)`);
    return;
  }
  if (deviceClass !== undefined && unit !== undefined) {
    const units = SENSOR_UNITS[deviceClass];
    if (units === null || !units!.includes(unit as string)) problems.push(`${where}: unit "${String(unit)}" is not allowed for device_class ${deviceClass}`);
  }
  if ((deviceClass === "data_size" || deviceClass === "data_rate" || deviceClass === "duration") && unit === undefined) {
    problems.push(`${where}: device_class ${deviceClass} needs a unit_of_measurement`);
  }
  if (stateClass !== undefined) {
    const allowed = deviceClass === undefined ? ALL_STATE_CLASSES : SENSOR_STATE_CLASSES[deviceClass]!;
    if (!allowed.includes(stateClass)) problems.push(`${where}: state_class "${stateClass}" is not allowed for device_class ${deviceClass ?? "none"}`);
  }
  if (config.options !== undefined) {
    if (!Array.isArray(config.options) || config.options.length === 0) problems.push(`${where}: options must be a non-empty list`);
    if (deviceClass !== "enum") problems.push(`${where}: options need device_class enum`);
    if (unit !== undefined || stateClass !== undefined) problems.push(`${where}: options are not allowed with unit_of_measurement or state_class`);
  } else if (deviceClass === "enum") {
    problems.push(`${where}: device_class enum needs options`);
  }
  const precision = config.suggested_display_precision;
  if (precision !== undefined) {
    if (typeof precision !== "number" || !Number.isInteger(precision) || precision < 0) problems.push(`${where}: suggested_display_precision must be a non-negative integer`);
    if (deviceClass === "timestamp" || deviceClass === "enum") problems.push(`${where}: suggested_display_precision on a non-numeric sensor`);
  }
}

function checkEntity(where: string, component: Component, config: Json, samples: KindSamples, deviceMode: boolean, seen: Map<string, string>, problems: string[]): void {
  checkKeys(where, config, KEYS[component], problems);
  if (deviceMode && "device" in config) problems.push(`${where}: device belongs at the top of a device-based config`);
  if (!deviceMode) {
    checkDevice(where, config.device, problems);
    checkOrigin(where, config.origin, problems);
  }
  for (const key of ["name", "unique_id", "default_entity_id"]) {
    if (typeof config[key] !== "string" || config[key] === "") problems.push(`${where}: ${key} missing`);
  }
  const uniqueId = String(config.unique_id);
  if (!/^pve2mqtt_[a-z0-9_]+$/.test(uniqueId)) problems.push(`${where}: unique_id "${uniqueId}" must start with pve2mqtt_ and be a slug`);
  if (config.default_entity_id !== `${component}.${uniqueId}`) problems.push(`${where}: default_entity_id must be "${component}.${uniqueId}"`);
  for (const id of [uniqueId, String(config.default_entity_id)]) {
    const other = seen.get(id);
    if (other !== undefined) problems.push(`${where}: "${id}" already used by ${other}`);
    seen.set(id, where);
  }

  const availability = config.availability;
  if (!Array.isArray(availability) || availability.length === 0) {
    problems.push(`${where}: availability list missing`);
  } else {
    for (const item of availability) {
      if (!isObject(item) || typeof item.topic !== "string" || item.topic === "") problems.push(`${where}: availability item without topic`);
      else checkKeys(`${where} availability`, item, AVAILABILITY_KEYS, problems);
    }
  }
  if (config.availability_mode !== "all") problems.push(`${where}: availability_mode must be "all"`);

  const category = config.entity_category;
  if (category !== undefined && category !== "diagnostic" && category !== "config") problems.push(`${where}: entity_category "${String(category)}" is invalid`);
  if (category === "config" && component !== "button") problems.push(`${where}: entity_category config is not allowed on a ${component}`);
  if (config.icon !== undefined && !/^mdi:[a-z0-9-]+$/.test(String(config.icon))) problems.push(`${where}: icon "${String(config.icon)}" must match mdi:…`);
  if (config.enabled_by_default !== undefined && typeof config.enabled_by_default !== "boolean") problems.push(`${where}: enabled_by_default must be a boolean`);
  if (config.qos !== undefined && ![0, 1, 2].includes(config.qos as number)) problems.push(`${where}: qos must be 0, 1 or 2`);

  if (component === "button") {
    if (typeof config.command_topic !== "string" || config.command_topic === "") problems.push(`${where}: button needs command_topic`);
    if (typeof config.payload_press !== "string" || config.payload_press === "") problems.push(`${where}: button needs payload_press`);
    if (config.device_class !== undefined && !BUTTON_CLASSES.includes(String(config.device_class))) problems.push(`${where}: button device_class "${String(config.device_class)}" is invalid`);
    return;
  }
  if (typeof config.state_topic !== "string" || config.state_topic === "") problems.push(`${where}: ${component} needs state_topic`);
  if (component === "binary_sensor" && config.device_class !== undefined && !BINARY_SENSOR_CLASSES.includes(String(config.device_class))) {
    problems.push(`${where}: binary_sensor device_class "${String(config.device_class)}" is invalid`);
  }
  if (component === "sensor") checkSensorClasses(where, config, problems);
  // an entity reading another topic than its device's state (the cluster's PVE notification event)
  const read = typeof config.state_topic === "string" && config.state_topic.endsWith("/bridge/event") ? eventSamples : samples;
  checkTemplates(where, component, config, read, problems);
}

let eventSamples: KindSamples = { sample: {}, nullSample: {} };

function componentOf(value: unknown): Component | null {
  return value === "sensor" || value === "binary_sensor" || value === "button" || value === "update" || value === "event" ? value : null;
}

export function validateDiscovery(input: ValidationInput): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const prefix = input.discoveryPrefix;
  eventSamples = input.samples.event;
  for (const { kind, message } of input.messages) {
    const samples = input.samples[kind];
    if (input.mode === "entity") {
      const match = new RegExp(`^${prefix}/([a-z_]+)/([^/]+)/([^/]+)/config$`).exec(message.topic);
      const component = componentOf(match?.[1]);
      if (!match || !component || !ID.test(match[2]!) || !ID.test(match[3]!)) {
        problems.push(`${message.topic}: not <prefix>/<sensor|binary_sensor|button|update|event>/<node id>/<object id>/config`);
        continue;
      }
      checkEntity(message.topic, component, message.payload, samples, false, seen, problems);
      continue;
    }
    const match = new RegExp(`^${prefix}/device/([^/]+)/config$`).exec(message.topic);
    if (!match || !ID.test(match[1]!)) {
      problems.push(`${message.topic}: not <prefix>/device/<id>/config`);
      continue;
    }
    const payload = message.payload;
    checkKeys(message.topic, payload, DEVICE_MODE_KEYS, problems);
    checkDevice(message.topic, payload.device, problems);
    checkOrigin(message.topic, payload.origin, problems);
    const components = payload.components;
    if (!isObject(components) || Object.keys(components).length === 0) {
      problems.push(`${message.topic}: components missing`);
      continue;
    }
    for (const [id, value] of Object.entries(components)) {
      const where = `${message.topic} components.${id}`;
      if (!ID.test(id)) problems.push(`${where}: component id must match [a-zA-Z0-9_-]+`);
      const config = isObject(value) ? value : {};
      const component = componentOf(config.platform);
      if (!component) {
        problems.push(`${where}: platform must be sensor, binary_sensor or button`);
        continue;
      }
      const { platform: _platform, ...rest } = config;
      if (Object.keys(rest).length === 0) continue; // { platform } alone removes a component
      checkEntity(where, component, rest, samples, true, seen, problems);
    }
  }
  return problems;
}
