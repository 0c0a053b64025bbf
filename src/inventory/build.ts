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
import { guestKey, storageKey, type ClusterInfo, type GuestInfo, type Inventory, type NodeInfo, type StorageInfo } from "./types.js";

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

/** What the /cluster/resources answer gives on its own (built as soon as it arrives). */
export interface ResourcesBuilt {
  nodeRows: NodeResourceRow[];
  guests: GuestInfo[];
  storages: StorageInfo[];
}

/**
 * The guests and storages of a resources answer, and its node rows. Pure. A guest or storage whose
 * values are the same as in the previous inventory is that inventory's object (a cheap "unchanged"
 * for the states built from it).
 */
export function buildResources(resources: ResourceRow[], options: InventoryOptions): ResourcesBuilt {
  const includeNode = nodeMatcher(options.filter.nodes);
  const excluded = new Set(options.filter.exclude_vmids);
  const rows = resources.filter((row) => includeNode(row.node));
  const nodeRows = rows.filter((row): row is NodeResourceRow => row.type === "node");
  const nodeOnline = new Map(nodeRows.map((row) => [row.node, nodeStatusValue(row.status) === "online"]));
  const isOnline = (node: string): boolean => nodeOnline.get(node) ?? true;

  const previousGuests = new Map((options.previous?.guests ?? []).map((guest) => [guestKey(guest.kind, guest.vmid), guest]));
  const guests = rows
    .filter((row): row is GuestResourceRow => (row.type === "qemu" || row.type === "lxc") && !isSet(row.template) && !excluded.has(row.vmid))
    .map((row) => reuseWhenSame(previousGuests.get(guestKey(row.type, row.vmid)), buildGuest(row, isOnline(row.node), previousGuests.get(guestKey(row.type, row.vmid)))))
    .sort(byGuestId);

  const previousStorages = new Map((options.previous?.storages ?? []).map((storage) => [storageKey(storage.node, storage.storage), storage]));
  const storages = rows
    .filter((row): row is StorageResourceRow => row.type === "storage")
    .map((row) => reuseWhenSame(previousStorages.get(storageKey(row.node, row.storage)), buildStorage(row, isOnline(row.node))))
    .sort(byStorageId);
  return { nodeRows, guests, storages };
}

/** Last poll's record when it holds the same values, else the new one. */
function reuseWhenSame<T extends object>(previous: T | undefined, built: T): T {
  return previous !== undefined && sameValues(previous, built) ? previous : built;
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
    ioDelay: online ? (status?.wait ?? keep?.ioDelay ?? null) : null,
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

function buildGuest(row: GuestResourceRow, nodeOnline: boolean, previous: GuestInfo | undefined): GuestInfo {
  const { netin, netout, diskread, diskwrite } = row;
  const hasCounters = netin !== undefined && netout !== undefined && diskread !== undefined && diskwrite !== undefined;
  return {
    kind: row.type,
    vmid: row.vmid,
    name: row.name ?? previous?.name ?? null,
    node: row.node,
    status: deriveGuestStatus({ status: row.status, lock: row.lock, nodeOnline }),
    cpu: row.cpu ?? null,
    cpus: row.maxcpu ?? null,
    memUsed: row.mem ?? null,
    memTotal: row.maxmem ?? null,
    diskUsed: row.type === "lxc" ? (row.disk ?? null) : null,
    diskTotal: row.maxdisk ?? null,
    counters: hasCounters ? { netin, netout, diskread, diskwrite } : null,
    uptime: row.uptime ?? null,
    haState: row.hastate ?? null,
    lock: row.lock ?? null,
    tags: splitTags(row.tags),
  };
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
