import type {
  ClusterStatusRow,
  GuestResourceRow,
  NodeResourceRow,
  NodeStatus,
  PveVersion,
  ResourceRow,
  StorageResourceRow,
} from "../pve/schemas.js";
import { isSet } from "../pve/schemas.js";
import { deriveGuestStatus } from "./derive.js";
import { ClusterNameUnknownError } from "./errors.js";
import { nodeMatcher } from "./filter.js";
import { sameValues } from "../same-values.js";
import { guestKey, storageKey, unknownGuest, type ClusterInfo, type DeviceKey, type GuestInfo, type Inventory, type IoCounters, type NodeInfo, type StorageInfo } from "./types.js";

export interface InventoryInput {
  /** What the /cluster/resources answer gave (buildResources). */
  resources: ResourcesBuilt;
  /** null when /cluster/status could not be read this cycle. */
  clusterStatus: ClusterStatusRow[] | null;
  /** The `/nodes/{n}/status` answers of this cycle; a node missing here failed or was skipped. */
  nodeStatuses: Map<string, NodeStatus>;
  version: PveVersion | null;
  takenAt: number;
}

export interface InventoryOptions {
  clusterNameOverride?: string;
  filter: { nodes: string[]; exclude_vmids: number[] };
  previous?: Inventory;
}

/**
 * What the /cluster/resources answer gives on its own. Built as soon as the answer arrives, so its
 * thousands of rows are dropped before the poll's other requests: kept across them, they would
 * outlive young-generation collections and be promoted every cycle (see README, Performance).
 */
export interface ResourcesBuilt {
  nodeRows: NodeResourceRow[];
  guests: GuestInfo[];
  storages: StorageInfo[];
}

/**
 * The guests and storages of a resources answer, and its node rows. Pure. Written as loops over
 * the rows, not chains of callbacks: a callback created per call is a new function every poll,
 * which V8 must optimize again once a collection has dropped the last one's code (measured: ~5 ms
 * a poll). A guest or storage identical to the previous inventory's is that very object.
 */
export function buildResources(resources: ResourceRow[], options: InventoryOptions): ResourcesBuilt {
  const includeNode = nodeMatcher(options.filter.nodes);
  const excluded = excludedSet(options.filter.exclude_vmids);
  const previous = options.previous;

  const nodeRows: NodeResourceRow[] = [];
  const guestRows: GuestResourceRow[] = [];
  const storageRows: StorageResourceRow[] = [];
  const nodeOnline = new Map<string, boolean>();
  for (const row of resources) {
    if (!includeNode(row.node)) continue;
    if (row.type === "node") {
      nodeRows.push(row);
      nodeOnline.set(row.node, nodeStatusValue(row.status) === "online");
    } else if (row.type === "storage") storageRows.push(row);
    else if (!isSet(row.template) && !excluded.has(row.vmid)) guestRows.push(row);
  }

  const previousGuests = new Map<DeviceKey, GuestInfo>();
  for (const guest of previous?.guests ?? []) previousGuests.set(guestKey(guest.kind, guest.vmid), guest);
  const guests: GuestInfo[] = [];
  for (const row of guestRows) guests.push(guestOf(row, nodeOnline.get(row.node) ?? true, previousGuests));
  guests.sort(byGuestId);

  const previousStorages = new Map<DeviceKey, StorageInfo>();
  for (const storage of previous?.storages ?? []) previousStorages.set(storageKey(storage.node, storage.storage), storage);
  const storages: StorageInfo[] = [];
  for (const row of storageRows) {
    const storage = buildStorage(row, nodeOnline.get(row.node) ?? true);
    const before = previousStorages.get(storageKey(storage.node, storage.storage));
    storages.push(before !== undefined && sameValues(before, storage) ? before : storage);
  }
  storages.sort(byStorageId);
  return { nodeRows, guests, storages };
}

/** Turns one poll's answers into an immutable Inventory. Pure. */
export function buildInventory(input: InventoryInput, options: InventoryOptions): Inventory {
  const previous = options.previous;
  const { nodeRows, guests, storages } = input.resources;
  const nodeIps = nodeIpsFrom(input.clusterStatus, previous);
  const previousNodes = new Map(previous?.nodes.map((node) => [node.name, node]));
  const nodes = nodeRows
    .map((row) => buildNode(row, input.nodeStatuses.get(row.node), previousNodes.get(row.node), nodeIps.get(row.node) ?? null))
    .sort(byNodeName);

  return {
    takenAt: input.takenAt,
    cluster: buildCluster(input, options, nodeRows),
    nodes,
    guests,
    storages,
  };
}

const excludedSets = new WeakMap<readonly number[], ReadonlySet<number>>();

/** `filter.exclude_vmids` as a set, built once per config. */
function excludedSet(vmids: readonly number[]): ReadonlySet<number> {
  let set = excludedSets.get(vmids);
  if (!set) excludedSets.set(vmids, (set = new Set(vmids)));
  return set;
}

function byNodeName(a: NodeInfo, b: NodeInfo): number {
  return compareText(a.name, b.name);
}

function byGuestId(a: GuestInfo, b: GuestInfo): number {
  return a.vmid - b.vmid || compareText(a.kind, b.kind);
}

function byStorageId(a: StorageInfo, b: StorageInfo): number {
  return compareText(a.node, b.node) || compareText(a.storage, b.storage);
}

/**
 * Code-unit order, the same on every machine. Not `localeCompare`: its first call loads ICU's
 * collation data, ~3 MB of resident memory for sorting host names.
 */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function buildCluster(input: InventoryInput, options: InventoryOptions, nodeRows: NodeResourceRow[]): ClusterInfo {
  const previous = options.previous?.cluster;
  const pveVersion = input.version?.version ?? previous?.pveVersion ?? null;
  if (input.clusterStatus === null) {
    // Not readable this cycle: keep what an earlier cycle learned.
    const name = options.clusterNameOverride ?? previous?.name;
    if (name === undefined) throw new ClusterNameUnknownError();
    return { name, quorate: previous?.quorate ?? null, pveVersion };
  }
  const clusterRow = input.clusterStatus.find((row) => row.type === "cluster");
  if (clusterRow) {
    return { name: options.clusterNameOverride ?? clusterRow.name, quorate: clusterRow.quorate ?? null, pveVersion };
  }
  // Standalone node: no cluster row, a single node row; it is always quorate.
  const statusNodes = input.clusterStatus.filter((row) => row.type === "node");
  const standaloneName =
    (statusNodes.find((row) => row.type === "node" && row.local === true) ?? statusNodes[0])?.name ?? nodeRows[0]?.node;
  const name = options.clusterNameOverride ?? standaloneName;
  if (name === undefined) throw new ClusterNameUnknownError();
  return { name, quorate: true, pveVersion };
}

function nodeIpsFrom(clusterStatus: ClusterStatusRow[] | null, previous: Inventory | undefined): Map<string, string> {
  if (clusterStatus === null) {
    return new Map(previous?.nodes.flatMap((node) => (node.ip === null ? [] : [[node.name, node.ip] as const])));
  }
  return new Map(clusterStatus.flatMap((row) => (row.type === "node" && row.ip !== undefined ? [[row.name, row.ip] as const] : [])));
}

function nodeStatusValue(status: string | undefined): NodeInfo["status"] {
  return status === "online" || status === "offline" ? status : "unknown";
}

function buildNode(row: NodeResourceRow, status: NodeStatus | undefined, previous: NodeInfo | undefined, ip: string | null): NodeInfo {
  const state = nodeStatusValue(row.status);
  // Fields only /nodes/{n}/status knows: when that call failed (or the node is down), keep the last ones.
  const keep = status === undefined ? previous : undefined;
  const online = state === "online";
  return {
    name: row.node,
    status: state,
    cpu: online ? (row.cpu ?? status?.cpu ?? null) : null,
    cpus: status?.cpuinfo?.cpus ?? row.maxcpu ?? keep?.cpus ?? null,
    cpuModel: status?.cpuinfo?.model ?? keep?.cpuModel ?? null,
    load: online ? (loadOf(status) ?? (keep?.load ?? null)) : null,
    memUsed: online ? (row.mem ?? status?.memory?.used ?? null) : null,
    memTotal: row.maxmem ?? status?.memory?.total ?? keep?.memTotal ?? null,
    swapUsed: online ? (status?.swap?.used ?? keep?.swapUsed ?? null) : null,
    swapTotal: status?.swap?.total ?? keep?.swapTotal ?? null,
    rootfsUsed: online ? (status?.rootfs?.used ?? row.disk ?? null) : null,
    rootfsTotal: status?.rootfs?.total ?? row.maxdisk ?? keep?.rootfsTotal ?? null,
    uptime: online ? (row.uptime ?? status?.uptime ?? null) : null,
    kernel: kernelOf(status) ?? keep?.kernel ?? null,
    pveVersion: pveVersionOf(status) ?? keep?.pveVersion ?? null,
    ip,
  };
}

function loadOf(status: NodeStatus | undefined): [number, number, number] | null {
  const load = status?.loadavg;
  return load && load.length === 3 ? [load[0]!, load[1]!, load[2]!] : null;
}

/** `current-kernel.release` ("6.8.8-4-pve"), else the second word of `kversion` ("Linux 6.8.8-4-pve #1 …"). */
function kernelOf(status: NodeStatus | undefined): string | null {
  const release = status?.["current-kernel"]?.release;
  if (release) return release;
  return status?.kversion?.split(/\s+/)[1] ?? null;
}

/** "pve-manager/8.2.4/faa83925c9641325" → "8.2.4". */
function pveVersionOf(status: NodeStatus | undefined): string | null {
  return status?.pveversion?.split("/")[1] ?? null;
}

/**
 * Where each guest is built first. It is copied out into a new object only when it differs from
 * last cycle's guest, so a row that says nothing new (stopped and idle guests) makes no garbage,
 * and only what changed outlives the poll: what lives from one poll to the next reaches the old
 * generation, which the full collections mark.
 */
const scratch: GuestInfo = unknownGuest("qemu", 0, null, "");
const scratchCounters: IoCounters = { netin: 0, netout: 0, diskread: 0, diskwrite: 0 };

/** Last cycle's guest when the row says nothing new (the states then skip it at once), else a new one. */
function guestOf(row: GuestResourceRow, nodeOnline: boolean, previousGuests: Map<DeviceKey, GuestInfo>): GuestInfo {
  const previous = previousGuests.get(guestKey(row.type, row.vmid));
  fillGuest(scratch, row, nodeOnline, previous);
  if (previous !== undefined && sameValues(previous, scratch)) return previous;
  const counters = scratch.counters;
  // last cycle's counters when only something else moved
  const keptCounters = counters === null ? null : previous !== undefined && sameValues(previous.counters, counters) ? previous.counters : { ...counters };
  return { ...scratch, counters: keptCounters };
}

function fillGuest(guest: GuestInfo, row: GuestResourceRow, nodeOnline: boolean, previous: GuestInfo | undefined): void {
  const { netin, netout, diskread, diskwrite } = row;
  if (netin !== undefined && netout !== undefined && diskread !== undefined && diskwrite !== undefined) {
    scratchCounters.netin = netin;
    scratchCounters.netout = netout;
    scratchCounters.diskread = diskread;
    scratchCounters.diskwrite = diskwrite;
    guest.counters = scratchCounters;
  } else {
    guest.counters = null;
  }
  guest.kind = row.type;
  guest.vmid = row.vmid;
  guest.name = row.name ?? previous?.name ?? null;
  guest.node = row.node;
  guest.status = deriveGuestStatus({ status: row.status, lock: row.lock, nodeOnline });
  guest.cpu = row.cpu ?? null;
  guest.cpus = row.maxcpu ?? null;
  guest.memUsed = row.mem ?? null;
  guest.memTotal = row.maxmem ?? null;
  guest.diskUsed = row.type === "lxc" ? (row.disk ?? null) : null;
  guest.diskTotal = row.maxdisk ?? null;
  guest.uptime = row.uptime ?? null;
  guest.haState = row.hastate ?? null;
  guest.lock = row.lock ?? null;
  guest.tags = tagList(row.tags);
}

/** Tag lists by PVE's `tags` text: guests with the same tags share one frozen list, the same each cycle. */
const tagLists = new Map<string, readonly string[]>();
/** Far above any cluster's distinct tag sets; reached only over a very long run of retagging, then it starts over. */
const MAX_TAG_LISTS = 10_000;

function tagList(text: string | undefined): readonly string[] {
  const key = text ?? "";
  let list = tagLists.get(key);
  if (list === undefined) {
    if (tagLists.size >= MAX_TAG_LISTS) tagLists.clear();
    list = Object.freeze(splitTags(key));
    tagLists.set(key, list);
  }
  return list;
}

/** `tags` is one string joined with `;`; old configs may hold `,` or spaces. */
export function splitTags(tags: string | undefined): string[] {
  return (tags ?? "").split(/[;, ]+/).filter((tag) => tag !== "");
}

/*
 * /cluster/resources says `available` or `unknown` (inactive, e.g. an unreachable NFS share).
 * On an online node `unknown` means the storage is there but not usable: `unavailable`,
 * not active. On a node that is not online nothing is known.
 */
function buildStorage(row: StorageResourceRow, nodeOnline: boolean): StorageInfo {
  const available = row.status === "available";
  const used = row.disk ?? null;
  const total = row.maxdisk ?? null;
  return {
    node: row.node,
    storage: row.storage,
    type: row.plugintype ?? null,
    status: !nodeOnline ? "unknown" : available ? "available" : "unavailable",
    active: !nodeOnline ? null : available,
    shared: isSet(row.shared),
    content: (row.content ?? "").split(",").filter((item) => item !== "").sort(),
    used,
    total,
    available: used !== null && total !== null ? Math.max(0, total - used) : null,
  };
}
