/* Builds every discovery message of the fixture cluster, tagged with its device kind, for the validator. */
import type { Config } from "../../src/config/schema.js";
import { bridgeDiscovery, guestDiscovery, nodeDiscovery, storageDiscovery, type DiscoveryMessage } from "../../src/homeassistant/discovery.js";
import type { DeviceKind } from "../../src/catalog/index.js";
import { BRIDGE_INFO, BRIDGE_INFO_UNKNOWN, CLUSTER, GUEST_STATE, GUEST_STATE_UNKNOWN, makeContext, NODE_STATE, NODE_STATE_UNKNOWN, STORAGE_STATE, STORAGE_STATE_UNKNOWN } from "./fixtures.js";
import type { ValidationInput } from "./validate.js";

export function clusterMessages(config: Config): Array<{ kind: DeviceKind; message: DiscoveryMessage }> {
  const ctx = makeContext(config);
  const tag = (kind: DeviceKind) => (message: DiscoveryMessage) => ({ kind, message });
  return [
    ...bridgeDiscovery(ctx).map(tag("bridge")),
    ...CLUSTER.nodes.flatMap((node) => nodeDiscovery(ctx, node)).map(tag("node")),
    ...CLUSTER.guests.flatMap((guest) => guestDiscovery(ctx, guest)).map(tag("guest")),
    ...CLUSTER.storages.flatMap((storage) => storageDiscovery(ctx, storage)).map(tag("storage")),
  ];
}

export const SAMPLES: ValidationInput["samples"] = {
  node: { sample: { ...NODE_STATE }, nullSample: { ...NODE_STATE_UNKNOWN } },
  guest: { sample: { ...GUEST_STATE }, nullSample: { ...GUEST_STATE_UNKNOWN } },
  storage: { sample: { ...STORAGE_STATE }, nullSample: { ...STORAGE_STATE_UNKNOWN } },
  bridge: { sample: { ...BRIDGE_INFO }, nullSample: { ...BRIDGE_INFO_UNKNOWN } },
};

export function validationInput(config: Config): ValidationInput {
  return { mode: config.homeassistant.discovery, discoveryPrefix: config.homeassistant.discovery_prefix, messages: clusterMessages(config), samples: SAMPLES };
}
