/*
 * Devices known from an earlier run's retained states, so that one that vanished while the bridge
 * was down is handled like any other (CONTRACT 5, remove_vanished_after across restarts).
 */
import { z } from "zod";
import type { DiscoveryTarget } from "../homeassistant/discovery.js";
import { emptyNode, guestKey, nodeKey, storageKey, unknownGuest, type DeviceKey } from "../inventory/types.js";

const text = z.string().min(1).nullish().catch(null);
const RetainedState = z.object({
  last_seen: z.string().refine((value) => Number.isFinite(Date.parse(value))),
  name: text,
  node: text,
  storage: text,
  type: text,
});

export interface SeededDevice {
  key: DeviceKey;
  target: DiscoveryTarget;
  lastSeen: number;
}

/** Rebuilds enough of a device from its retained state to know its key, topics and last_seen; null for anything else. */
export function seedDevice(base: string, topic: string, payload: Buffer): SeededDevice | null {
  const parts = topic.startsWith(`${base}/`) ? topic.slice(base.length + 1).split("/") : [];
  const kind = parts[0];
  const expectedParts = { node: 2, qemu: 2, lxc: 2, storage: 3 }[kind ?? ""];
  if (expectedParts === undefined || parts.length !== expectedParts) return null;
  const state = parseJson(payload);
  const parsed = RetainedState.safeParse(state);
  if (!parsed.success) return null;
  const { last_seen, name, node, storage, type } = parsed.data;
  const lastSeen = Date.parse(last_seen);
  if (kind === "node") {
    const nodeName = node ?? name ?? parts[1]!;
    return { key: nodeKey(nodeName), target: { kind: "node", node: emptyNode(nodeName) }, lastSeen };
  }
  if (kind === "storage") {
    if (!node || !storage) return null;
    const info = { node, storage, type: type ?? null, status: "unknown" as const, active: null, shared: false, content: [], used: null, total: null, available: null };
    return { key: storageKey(node, storage), target: { kind: "storage", storage: info }, lastSeen };
  }
  const vmid = Number(parts[1]);
  if (!Number.isInteger(vmid) || vmid <= 0) return null;
  const guestKind = kind as "qemu" | "lxc";
  return { key: guestKey(guestKind, vmid), target: { kind: "guest", guest: unknownGuest(guestKind, vmid, name ?? null, node ?? "") }, lastSeen };
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return null;
  }
}
