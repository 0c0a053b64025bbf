/*
 * Topic names shared by the bridge (state, availability, discovery) and the commands room
 * (`/set`, `/result`). B is `mqtt.base_topic`; every id in a topic is a slug (CONTRACT section 3).
 */
import { slug, type DeviceKey } from "../inventory/types.js";

/** The bridge's own topics: `B/bridge/<leaf>`. */
export type BridgeLeaf = "state" | "info" | "event" | "request/refresh" | "response/refresh";

function keyParts(key: DeviceKey): string[] {
  if (key === "cluster") return ["cluster"];
  const parts = key.split("/");
  if (parts.length < 2 || parts.some((part) => part === "")) {
    throw new Error(`Invalid device key "${key}": expected node/<node>, qemu/<vmid>, lxc/<vmid> or storage/<node>/<storage>`);
  }
  return parts.map(slug);
}

/** `node/pve1` → `B/node/pve1`; `storage/pve1/local-lvm` → `B/storage/pve1/local_lvm`. */
export function deviceTopic(base: string, key: DeviceKey): string {
  return `${base}/${keyParts(key).join("/")}`;
}

/** `node/pve1` → `node_pve1`: the device part of unique ids, object ids and identifiers. */
export function deviceSlug(key: DeviceKey): string {
  return keyParts(key).join("_");
}

export function availabilityTopic(base: string, key: DeviceKey): string {
  return `${deviceTopic(base, key)}/availability`;
}

export function commandTopic(base: string, key: DeviceKey): string {
  return `${deviceTopic(base, key)}/set`;
}

export function resultTopic(base: string, key: DeviceKey): string {
  return `${deviceTopic(base, key)}/result`;
}

export function bridgeTopic(base: string, leaf: BridgeLeaf): string {
  return `${base}/bridge/${leaf}`;
}
