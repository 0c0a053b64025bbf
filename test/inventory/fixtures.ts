import { ClusterStatusRowSchema, NodeStatusSchema, ResourceRowSchema, type ClusterStatusRow, type NodeStatus, type ResourceRow } from "../../src/pve/schemas.js";

/* Raw rows shaped like real PVE 8.2 answers (0/1 flags, loadavg strings), parsed by the real schemas. */

export const rawClusterStatus = [
  { type: "cluster", id: "cluster", name: "homelab", nodes: 3, version: 5, quorate: 1 },
  { type: "node", id: "node/pve2", name: "pve2", nodeid: 2, ip: "192.0.2.12", local: 0, online: 1, level: "" },
  { type: "node", id: "node/pve1", name: "pve1", nodeid: 1, ip: "192.0.2.11", local: 1, online: 1, level: "c" },
  { type: "node", id: "node/pve3", name: "pve3", nodeid: 3, ip: "192.0.2.13", local: 0, online: 0, level: "" },
];

export function rawResources(): Record<string, unknown>[] {
  return [
    // guests first, vmid sorted as strings
    {
      type: "qemu", id: "qemu/100", vmid: 100, node: "pve1", name: "web", status: "running", template: 0,
      cpu: 0.0523, maxcpu: 4, mem: 2147483648, maxmem: 4294967296, disk: 0, maxdisk: 34359738368, uptime: 86400,
      netin: 1000, netout: 2000, diskread: 3000, diskwrite: 4000, tags: "prod;web", hastate: "started",
    },
    {
      type: "qemu", id: "qemu/1000", vmid: 1000, node: "pve2", name: "paused-vm", status: "paused", template: 0,
      cpu: 0, maxcpu: 2, mem: 1073741824, maxmem: 2147483648, disk: 0, maxdisk: 10737418240, uptime: 500,
      netin: 10, netout: 20, diskread: 30, diskwrite: 40,
    },
    {
      type: "qemu", id: "qemu/101", vmid: 101, node: "pve1", name: "sleeper", status: "stopped", template: 0, lock: "suspended",
      cpu: 0, maxcpu: 2, mem: 0, maxmem: 2147483648, disk: 0, maxdisk: 10737418240, uptime: 0,
      netin: 0, netout: 0, diskread: 0, diskwrite: 0,
    },
    {
      type: "lxc", id: "lxc/102", vmid: 102, node: "pve2", name: "dns", status: "running", template: 0,
      cpu: 0.01, maxcpu: 1, mem: 134217728, maxmem: 536870912, disk: 1073741824, maxdisk: 8589934592, uptime: 3600,
      netin: 500, netout: 600, diskread: 700, diskwrite: 800, tags: "infra, dns old",
    },
    { type: "qemu", id: "qemu/103", vmid: 103, node: "pve3", status: "unknown", template: 0, tags: "lost", lock: "backup" },
    {
      type: "qemu", id: "qemu/9000", vmid: 9000, node: "pve1", name: "tmpl-debian", status: "stopped", template: 1,
      cpu: 0, maxcpu: 2, mem: 0, maxmem: 2147483648, disk: 0, maxdisk: 2361393152, uptime: 0,
      netin: 0, netout: 0, diskread: 0, diskwrite: 0,
    },
    {
      type: "node", id: "node/pve1", node: "pve1", status: "online", cpu: 0.125, maxcpu: 16, mem: 17179869184,
      maxmem: 68719476736, disk: 10737418240, maxdisk: 107374182400, uptime: 1209600, level: "c",
    },
    {
      type: "node", id: "node/pve2", node: "pve2", status: "online", cpu: 0.25, maxcpu: 8, mem: 8589934592,
      maxmem: 34359738368, disk: 5368709120, maxdisk: 53687091200, uptime: 604800, level: "",
    },
    { type: "node", id: "node/pve3", node: "pve3", status: "offline", maxcpu: 8, maxmem: 34359738368, maxdisk: 53687091200, level: "" },
    {
      type: "storage", id: "storage/pve1/local", node: "pve1", storage: "local", status: "available", plugintype: "dir",
      shared: 0, content: "vztmpl,iso,backup", disk: 10737418240, maxdisk: 107374182400,
    },
    {
      type: "storage", id: "storage/pve1/nas", node: "pve1", storage: "nas", status: "available", plugintype: "nfs",
      shared: 1, content: "backup,images", disk: 500, maxdisk: 2000,
    },
    {
      type: "storage", id: "storage/pve2/nas", node: "pve2", storage: "nas", status: "available", plugintype: "nfs",
      shared: 1, content: "images,backup", disk: 500, maxdisk: 2000,
    },
    { type: "storage", id: "storage/pve2/cifs-Old.1", node: "pve2", storage: "cifs-Old.1", status: "unknown", plugintype: "cifs", shared: 1, content: "backup" },
  ];
}

export function rawNodeStatus(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    idle: 0,
    uptime: 1209600,
    cpu: 0.13,
    wait: 0.001,
    loadavg: ["0.58", "0.47", "0.41"],
    cpuinfo: { model: "AMD Ryzen 7 5800X 8-Core Processor", cpus: 16, cores: 8, sockets: 1, mhz: "3997.481", hvm: "1" },
    memory: { total: 68719476736, used: 17179869184, free: 51539607552 },
    swap: { total: 8589934592, used: 1048576, free: 8588886016 },
    rootfs: { total: 107374182400, used: 10737418240, free: 96636764160, avail: 91268055040 },
    pveversion: "pve-manager/8.2.4/faa83925c9641325",
    kversion: "Linux 6.8.8-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.8-4 (2024-07-26T11:15Z)",
    "current-kernel": { sysname: "Linux", release: "6.8.8-4-pve" },
    ...overrides,
  };
}

export const clusterStatus: ClusterStatusRow[] = rawClusterStatus.map((row) => ClusterStatusRowSchema.parse(row));

export function resources(): ResourceRow[] {
  return rawResources().map((row) => ResourceRowSchema.parse(row));
}

export function nodeStatus(overrides: Record<string, unknown> = {}): NodeStatus {
  return NodeStatusSchema.parse(rawNodeStatus(overrides));
}
