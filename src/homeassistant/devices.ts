/*
 * What discovery needs to know about one device: its slug, its topics and the Home Assistant
 * `device` block (CONTRACT section 5). Pure functions of the inventory and the context.
 */
import type { Config } from "../config/schema.js";
import type { DiskInfo } from "../inventory/disks.js";
import { clusterKey, diskKey, guestKey, nodeKey, storageKey, zfsKey, type GuestInfo, type NodeInfo, type StorageInfo } from "../inventory/types.js";
import type { ZfsPoolInfo } from "../inventory/zfs.js";
import type { DeviceKind } from "../catalog/index.js";
import { availabilityTopic, bridgeTopic, commandTopic, deviceSlug, deviceTopic } from "./topics.js";

export interface DeviceContext {
  config: Config;
  cid: string;
  clusterName: string;
  bridgeVersion: string;
  webUiUrl: string;
}

export interface DeviceDescriptor {
  kind: DeviceKind;
  /** Features of this device that entities may require (the cluster's Ceph). */
  features: ReadonlySet<"ceph">;
  /** "qemu" or "lxc" for guests, to apply a row's `only`. */
  guestKind: "qemu" | "lxc" | null;
  /** `node_pve1`, `qemu_100`, `storage_pve1_local`, `bridge`. */
  slug: string;
  /** Where the state JSON is published (the bridge: `B/bridge/info`). */
  stateTopic: string;
  /** `<device topic>/availability`; null for the bridge, whose availability is `B/bridge/state`. */
  availabilityTopic: string | null;
  commandTopic: string;
  device: Record<string, unknown>;
}

export function bridgeIdentifier(cid: string): string {
  return `pve2mqtt_${cid}_bridge`;
}

function deviceIdentifier(cid: string, deviceSlugText: string): string {
  return `pve2mqtt_${cid}_${deviceSlugText}`;
}

/** The PVE web UI link to one resource: `<root>#v1:0:=qemu%2F100`. */
function webUiLink(root: string, resource: string): string {
  const base = root.endsWith("/") ? root : `${root}/`;
  return `${base}#v1:0:=${encodeURIComponent(resource)}`;
}

function deviceBlock(ctx: DeviceContext, slugText: string, fields: Record<string, unknown>): Record<string, unknown> {
  const block: Record<string, unknown> = { identifiers: [deviceIdentifier(ctx.cid, slugText)], manufacturer: "Proxmox", ...fields };
  for (const [key, value] of Object.entries(block)) if (value === null || value === undefined) delete block[key];
  if (ctx.config.homeassistant.suggested_area) block.suggested_area = ctx.config.homeassistant.suggested_area;
  return block;
}

export function describeBridge(ctx: DeviceContext): DeviceDescriptor {
  const base = ctx.config.mqtt.base_topic;
  return {
    kind: "bridge",
    features: new Set(),
    guestKind: null,
    slug: "bridge",
    stateTopic: bridgeTopic(base, "info"),
    availabilityTopic: null,
    commandTopic: bridgeTopic(base, "request/refresh"),
    device: deviceBlock(ctx, "bridge", {
      name: `pve2mqtt ${ctx.clusterName}`,
      model: "pve2mqtt bridge",
      sw_version: ctx.bridgeVersion,
      configuration_url: ctx.webUiUrl,
    }),
  };
}

function describeDevice(ctx: DeviceContext, kind: DeviceKind, guestKind: "qemu" | "lxc" | null, key: string, fields: Record<string, unknown>): DeviceDescriptor {
  const base = ctx.config.mqtt.base_topic;
  const slugText = deviceSlug(key);
  return {
    kind,
    features: new Set(),
    guestKind,
    slug: slugText,
    stateTopic: deviceTopic(base, key),
    availabilityTopic: availabilityTopic(base, key),
    commandTopic: commandTopic(base, key),
    device: deviceBlock(ctx, slugText, fields),
  };
}

export function describeNode(ctx: DeviceContext, node: NodeInfo): DeviceDescriptor {
  return describeDevice(ctx, "node", null, nodeKey(node.name), {
    name: node.name,
    model: "Proxmox VE node",
    sw_version: node.pveVersion,
    configuration_url: webUiLink(ctx.webUiUrl, `node/${node.name}`),
    via_device: bridgeIdentifier(ctx.cid),
  });
}

export function describeGuest(ctx: DeviceContext, guest: GuestInfo): DeviceDescriptor {
  const fallbackName = `${guest.kind === "qemu" ? "VM" : "CT"} ${guest.vmid}`;
  return describeDevice(ctx, "guest", guest.kind, guestKey(guest.kind, guest.vmid), {
    name: guest.name ?? fallbackName,
    model: guest.kind === "qemu" ? "QEMU virtual machine" : "LXC container",
    configuration_url: webUiLink(ctx.webUiUrl, `${guest.kind}/${guest.vmid}`),
    via_device: deviceIdentifier(ctx.cid, deviceSlug(nodeKey(guest.node))),
  });
}

export function describeStorage(ctx: DeviceContext, storage: StorageInfo): DeviceDescriptor {
  return describeDevice(ctx, "storage", null, storageKey(storage.node, storage.storage), {
    name: `${storage.storage} (${storage.node})`,
    model: storage.type ? `Storage (${storage.type})` : "Storage",
    configuration_url: webUiLink(ctx.webUiUrl, `storage/${storage.node}/${storage.storage}`),
    via_device: bridgeIdentifier(ctx.cid),
  });
}

/** The cluster as a whole; its entities report the bridge's availability only (it exists while the bridge runs). */
export function describeCluster(ctx: DeviceContext, hasCeph: boolean): DeviceDescriptor {
  const described = describeDevice(ctx, "cluster", null, clusterKey(), {
    name: `Proxmox VE cluster ${ctx.clusterName}`,
    model: "Proxmox VE cluster",
    configuration_url: ctx.webUiUrl,
    via_device: bridgeIdentifier(ctx.cid),
  });
  return { ...described, availabilityTopic: null, features: new Set(hasCeph ? (["ceph"] as const) : []) };
}

export function describeDisk(ctx: DeviceContext, disk: DiskInfo): DeviceDescriptor {
  return describeDevice(ctx, "disk", null, diskKey(disk.node, disk.name), {
    name: `${disk.model ?? "Disk"} (${disk.node}:${disk.name})`,
    model: disk.model ?? "Disk",
    manufacturer: disk.vendor ?? "Proxmox",
    serial_number: disk.serial,
    configuration_url: webUiLink(ctx.webUiUrl, `node/${disk.node}`),
    via_device: deviceIdentifier(ctx.cid, deviceSlug(nodeKey(disk.node))),
  });
}

export function describeZfsPool(ctx: DeviceContext, pool: ZfsPoolInfo): DeviceDescriptor {
  return describeDevice(ctx, "zfs", null, zfsKey(pool.node, pool.pool), {
    name: `ZFS ${pool.pool} (${pool.node})`,
    model: "ZFS pool",
    configuration_url: webUiLink(ctx.webUiUrl, `node/${pool.node}`),
    via_device: deviceIdentifier(ctx.cid, deviceSlug(nodeKey(pool.node))),
  });
}
