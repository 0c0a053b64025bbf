import { isRunning, type ClusterModel, type SimGuest, type SimNode, type SimStorage } from "./model.js";

type Row = Record<string, unknown>;

/** A /cluster/resources (and /nodes) node row, as pmxcfs knows it. */
export function nodeRow(model: ClusterModel, node: SimNode, withStats = true): Row {
  const base: Row = { id: `node/${node.name}`, type: "node", node: node.name, status: node.online ? "online" : "offline" };
  if (!withStats) return base;
  if (!node.online) {
    if (model.nodeStale(node)) return base;
    return { ...base, maxcpu: node.cpus, maxmem: node.memTotal, maxdisk: node.rootTotal, level: node.level };
  }
  return {
    ...base,
    cpu: round(node.cpu, 4),
    maxcpu: node.cpus,
    mem: node.memUsed,
    maxmem: node.memTotal,
    disk: node.rootUsed,
    maxdisk: node.rootTotal,
    uptime: model.nodeUptimeSec(node),
    level: node.level,
    "cgroup-mode": 2,
  };
}

export function guestRow(model: ClusterModel, guest: SimGuest): Row {
  const visible = model.visible(guest);
  const node = model.nodes.get(visible.node);
  const row: Row = { id: `${guest.kind}/${guest.vmid}`, vmid: guest.vmid, node: visible.node, type: guest.kind };
  const extras = (): void => {
    if (visible.lock !== undefined) row.lock = visible.lock;
    if (guest.tags.length > 0) row.tags = guest.tags.join(";");
    if (visible.hastate !== undefined) row.hastate = visible.hastate;
  };
  if (!node || model.nodeStale(node)) {
    row.status = "unknown";
    extras();
    return row;
  }
  // An offline node's guests keep their last broadcast values until pmxcfs drops them.
  const live = visible.runState !== "stopped" && isRunning(guest);
  row.name = guest.name ?? (guest.kind === "qemu" ? `VM ${guest.vmid}` : `CT${guest.vmid}`);
  row.status = visible.runState;
  row.template = guest.template ? 1 : 0;
  row.maxcpu = model.maxcpu(guest);
  row.maxmem = guest.memory;
  row.maxdisk = guest.disk;
  row.cpu = live ? round(guest.cpu, 4) : 0;
  row.mem = live ? guest.mem : 0;
  row.disk = live && guest.kind === "lxc" ? guest.diskUsed : 0;
  row.uptime = live ? model.guestUptimeSec(guest) : 0;
  row.netin = live ? guest.netin : 0;
  row.netout = live ? guest.netout : 0;
  row.diskread = live ? guest.diskread : 0;
  row.diskwrite = live ? guest.diskwrite : 0;
  extras();
  return row;
}

export function storageRows(model: ClusterModel, storage: SimStorage): Row[] {
  const rows: Row[] = [];
  for (const node of model.nodes.values()) {
    if (!model.storageEnabledOn(storage, node.name)) continue;
    const row: Row = {
      id: `storage/${node.name}/${storage.storage}`,
      type: "storage",
      node: node.name,
      storage: storage.storage,
      status: storage.active && node.online ? "available" : "unknown",
      plugintype: storage.type,
      shared: storage.shared ? 1 : 0,
      content: storage.content.join(","),
    };
    if (row.status === "available") {
      row.disk = storage.used;
      row.maxdisk = storage.total;
    }
    rows.push(row);
  }
  return rows;
}

export type ResourceType = "vm" | "storage" | "node" | "sdn";

/** Pools (none here), guests by vmid sorted as strings, nodes, storages. */
export function clusterResources(model: ClusterModel, type: ResourceType | undefined, emptyAcl: boolean): Row[] {
  const rows: Row[] = [];
  if (emptyAcl) {
    if (type === undefined || type === "node") for (const node of model.nodes.values()) rows.push(nodeRow(model, node, false));
    return rows;
  }
  if (type === undefined || type === "vm") {
    const keyed = [...model.guests.values()].map((guest) => ({ key: String(guest.vmid), guest }));
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { guest } of keyed) rows.push(guestRow(model, guest));
  }
  if (type === undefined || type === "node") for (const node of model.nodes.values()) rows.push(nodeRow(model, node));
  if (type === undefined || type === "storage") {
    const storages = [...model.storages.values()].sort((a, b) => (a.storage < b.storage ? -1 : 1));
    for (const storage of storages) rows.push(...storageRows(model, storage));
  }
  return rows;
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
