import { GuestResourceSchema, KNOWN_RESOURCE_TYPES, NodeResourceSchema, StorageResourceSchema } from "./schemas.js";

/*
 * The rows of /cluster/resources: each checked by its own kind's compiled schema, rows of a kind
 * pve2mqtt does not know (sdn, pool, …) left out.
 */

/** Whether a row is of a kind pve2mqtt reads (rows that are not objects or have no type are kept, to be refused by validation). */
export function isKnownResource(row: unknown): boolean {
  if (typeof row !== "object" || row === null) return true;
  const type = (row as { type?: unknown }).type;
  return typeof type !== "string" || KNOWN_RESOURCE_TYPES.has(type);
}

/** The schema of a resources row's own kind (what ResourceRowSchema would pick for it). */
function resourceSchema(row: Record<string, unknown>) {
  switch (row.type) {
    case "node":
      return NodeResourceSchema;
    case "qemu":
    case "lxc":
      return GuestResourceSchema;
    case "storage":
      return StorageResourceSchema;
    default:
      return undefined;
  }
}

/**
 * Valid for its own kind's compiled object schema: a check that builds no row (a union's
 * compiled check builds the row anyway).
 */
export function isValidResource(row: unknown): boolean {
  if (typeof row !== "object" || row === null) return false;
  return resourceSchema(row as Record<string, unknown>)?.validate(row) === true;
}
