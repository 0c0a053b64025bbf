import type { DeviceRef } from "../commands/parse.js";
import type { Inventory } from "../inventory/types.js";
import { slug } from "../inventory/types.js";

export type IncomingTopic =
  | { type: "command"; device: DeviceRef; resultTopic: string }
  | { type: "unknown-device"; resultTopic: string; reason: string }
  | { type: "bridge-refresh" }
  | { type: "ignored" };

const MAX_VMID = 999_999_999;

/**
 * Maps a topic the bridge subscribed to onto what it addresses. Topics carry slugs; node and
 * storage slugs are resolved against the current inventory (an unknown one is reported, not guessed).
 */
export function parseIncomingTopic(base: string, topic: string, inventory: Inventory | null): IncomingTopic {
  if (topic === `${base}/bridge/request/refresh`) return { type: "bridge-refresh" };
  if (!topic.startsWith(`${base}/`) || !topic.endsWith("/set")) return { type: "ignored" };
  const parts = topic.slice(base.length + 1, -"/set".length).split("/");
  const resultTopic = `${base}/${parts.join("/")}/result`;
  const [kind, first, second] = parts;
  if ((kind === "qemu" || kind === "lxc") && parts.length === 2) {
    const vmid = /^[1-9][0-9]{0,8}$/.test(first ?? "") ? Number(first) : NaN;
    if (!Number.isInteger(vmid) || vmid > MAX_VMID) return { type: "unknown-device", resultTopic, reason: `invalid vmid '${first}'` };
    return { type: "command", device: { kind, vmid }, resultTopic };
  }
  if (kind === "node" && parts.length === 2) {
    const node = inventory?.nodes.find((n) => slug(n.name) === first);
    if (!node) return { type: "unknown-device", resultTopic, reason: `unknown node '${first}'` };
    return { type: "command", device: { kind: "node", node: node.name }, resultTopic };
  }
  if (kind === "storage" && parts.length === 3) {
    const storage = inventory?.storages.find((s) => slug(s.node) === first && slug(s.storage) === second);
    if (!storage) return { type: "unknown-device", resultTopic, reason: `unknown storage '${first}/${second}'` };
    return { type: "command", device: { kind: "storage", node: storage.node, storage: storage.storage }, resultTopic };
  }
  if (kind === "bridge" && parts.length === 1) return { type: "command", device: { kind: "bridge" }, resultTopic };
  return { type: "ignored" };
}
