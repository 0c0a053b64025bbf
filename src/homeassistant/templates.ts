/*
 * Home Assistant value templates. Every one renders `None` (unknown in HA) for a null field
 * instead of failing on arithmetic, and the state JSON keeps bytes and bytes/s.
 */

const GIB = 1073741824;

/** Bytes in the state JSON, GiB on the dashboard. */
export function gib(field: string): string {
  return `{{ (value_json.${field} / ${GIB}) | round(2) if value_json.${field} is not none else none }}`;
}

/** Bytes/s in the state JSON, kB/s on the dashboard. */
export function kbPerSecond(field: string): string {
  return `{{ (value_json.${field} / 1000) | round(1) if value_json.${field} is not none else none }}`;
}

/** A nullable boolean field as ON / OFF / None (unknown). */
export function onOff(field: string): string {
  return `{{ 'None' if value_json.${field} is none else ('ON' if value_json.${field} else 'OFF') }}`;
}

/** ON when a text field equals `on`, OFF when it equals `off`, unknown otherwise. */
export function onOffWhen(field: string, on: string, off: string): string {
  return `{{ 'ON' if value_json.${field} == '${on}' else ('OFF' if value_json.${field} == '${off}' else 'None') }}`;
}

/** A field of a nullable object field, unknown while the object is null. */
export function nested(field: string, inner: string): string {
  return `{{ value_json.${field}.${inner} if value_json.${field} is not none else none }}`;
}

/** JSON attributes: one object field as a whole (`{}` while null). */
export function objectAttributes(field: string): string {
  return `{{ (value_json.${field} if value_json.${field} is not none else {}) | tojson }}`;
}

/** JSON attributes: several fields under their own names. */
export function fieldsAttributes(fields: readonly string[]): string {
  return `{{ { ${fields.map((field) => `'${field}': value_json.${field}`).join(", ")} } | tojson }}`;
}
