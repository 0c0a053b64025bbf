import { slug } from "./format.js";
import type { State } from "./types.js";

export interface DeviceView {
  topic: string;
  state: State;
  /** "online" / "offline", or undefined before its availability arrived. */
  availability: string | undefined;
}

export interface NodeView extends DeviceView {
  slug: string;
  name: string;
  guests: DeviceView[];
  storages: DeviceView[];
  disks: DeviceView[];
  zfs: DeviceView[];
}

const GUEST_TOPIC = /^(qemu|lxc)\/\d+$/;
const NODE_TOPIC = /^node\/[^/]+$/;
const PER_NODE_TOPIC = /^(storage|disk|zfs)\/([^/]+)\/[^/]+$/;

/** Groups the retained states by node: each node with its guests (by vmid), storages, disks and ZFS pools. */
export function clusterModel(states: ReadonlyMap<string, unknown>): NodeView[] {
  const nodes = new Map<string, NodeView>();
  const nodeFor = (nodeSlug: string, name?: string): NodeView => {
    let node = nodes.get(nodeSlug);
    if (!node) {
      const topic = `node/${nodeSlug}`;
      const state = states.get(topic);
      node = {
        topic,
        slug: nodeSlug,
        name: name ?? nodeSlug,
        state: isState(state) ? state : {},
        availability: availabilityOf(states, topic),
        guests: [],
        storages: [],
        disks: [],
        zfs: [],
      };
      nodes.set(nodeSlug, node);
    } else if (name && node.name === node.slug) node.name = name;
    return node;
  };
  for (const [topic, state] of states) {
    if (!isState(state)) continue;
    if (NODE_TOPIC.test(topic)) {
      nodeFor(topic.slice("node/".length));
    } else if (GUEST_TOPIC.test(topic)) {
      const nodeName = typeof state.node === "string" ? state.node : "?";
      nodeFor(slug(nodeName), nodeName).guests.push({ topic, state, availability: availabilityOf(states, topic) });
    } else {
      const match = PER_NODE_TOPIC.exec(topic);
      if (!match) continue;
      const nodeName = typeof state.node === "string" ? state.node : undefined;
      const list = match[1] === "storage" ? "storages" : match[1] === "disk" ? "disks" : "zfs";
      nodeFor(match[2]!, nodeName)[list].push({ topic, state, availability: availabilityOf(states, topic) });
    }
  }
  const byVmid = (a: DeviceView, b: DeviceView) => Number(a.state.vmid) - Number(b.state.vmid);
  const byTopic = (a: DeviceView, b: DeviceView) => a.topic.localeCompare(b.topic);
  const list = [...nodes.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const node of list) {
    node.guests.sort(byVmid);
    node.storages.sort(byTopic);
    node.disks.sort(byTopic);
    node.zfs.sort(byTopic);
  }
  return list;
}

function availabilityOf(states: ReadonlyMap<string, unknown>, topic: string): string | undefined {
  const value = states.get(`${topic}/availability`);
  return typeof value === "string" ? value : undefined;
}

function isState(value: unknown): value is State {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a guest matches the text filter (name, vmid, IPs, tags) and the status filter. */
export function guestMatches(guest: DeviceView, text: string, status: string): boolean {
  const state = guest.state;
  if (status !== "" && state.status !== status) return false;
  if (text === "") return true;
  const haystack = [state.vmid, state.name, state.ip, ...asList(state.ipv4), ...asList(state.ipv6), ...asList(state.tags), state.status, state.os]
    .filter((part) => part !== null && part !== undefined)
    .join(" ")
    .toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
