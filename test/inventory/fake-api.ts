import { PveHttpError } from "../../src/pve/errors.js";
import {
  AgentInterfaceSchema, AgentOsInfoSchema, ClusterStatusRowSchema, GuestConfigSchema, GuestStatusSchema, LxcInterfaceSchema, NodeStatusSchema,
  ResourceRowSchema, SnapshotRowSchema, StorageContentRowSchema, VersionSchema,
} from "../../src/pve/schemas.js";
import type { GuestKind, PveApi, Rows } from "../../src/pve/types.js";
import { ClusterTaskRowSchema } from "../../src/pve/health-schemas.js";
import type { z } from "zod";
import { rawNodeStatus } from "./fixtures.js";

/*
 * An in-memory PVE for poller tests: raw answers shaped like PVE's, parsed by the real schemas,
 * every call recorded. (The HTTPS simulator tests use the real client; these exercise the
 * poller's own logic with exact control over each endpoint.)
 */

export interface FakeGuest {
  kind: GuestKind;
  vmid: number;
  node: string;
  name?: string;
  status: string;
  lock?: string;
  uptime?: number;
  counters?: [number, number, number, number];
  config?: Record<string, string | number>;
  /** raw agent `result` rows, or an error reason */
  agent?: unknown[] | string;
  /** raw get-osinfo `result`, or an error reason; absent: `{}` while the agent answers (else its error) */
  osinfo?: Record<string, unknown> | string;
  /** raw lxc interfaces rows, or an error reason */
  interfaces?: unknown[] | string;
  snapshots?: unknown[];
  /** status/current answer (raw) */
  live?: Record<string, unknown>;
  template?: boolean;
}

export interface Call {
  method: string;
  args: unknown[];
}

function rows<S extends z.ZodType>(schema: S, data: unknown[]): Rows<z.output<S>> {
  return { rows: data.map((row) => schema.parse(row)), skipped: 0 };
}

export class FakePve implements PveApi {
  readonly calls: Call[] = [];
  nodes = new Map<string, boolean>();
  guests: FakeGuest[] = [];
  storages: Array<{ node: string; storage: string; shared: boolean; content: string; status: string; backups?: unknown[] }> = [];
  clusterName: string | null = "homelab";
  /** method name → error to throw */
  failing = new Map<string, Error>();

  constructor(nodes: Record<string, boolean>) {
    for (const [name, online] of Object.entries(nodes)) this.nodes.set(name, online);
  }

  clear(): void {
    this.calls.length = 0;
  }

  count(method: string): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const error = this.failing.get(method);
    if (error) throw error;
  }

  /** Health reads: nothing to report unless a test sets these. */
  tasks: unknown[] = [];
  async clusterTasks() {
    this.record("clusterTasks");
    return rows(ClusterTaskRowSchema, this.tasks);
  }
  async taskLog(node: string, upid: string, start?: number) {
    this.record("taskLog", node, upid, start);
    return { lines: [], total: 0, skipped: 0 };
  }
  async diskList(node: string) {
    this.record("diskList", node);
    return { rows: [], skipped: 0 };
  }
  async diskSmart(node: string, devpath: string): Promise<never> {
    this.record("diskSmart", node, devpath);
    throw new Error("no SMART data in the fake");
  }
  async zfsPools(node: string) {
    this.record("zfsPools", node);
    return { rows: [], skipped: 0 };
  }
  async aptUpdates(node: string) {
    this.record("aptUpdates", node);
    return { rows: [], skipped: 0 };
  }
  async haStatus() {
    this.record("haStatus");
    return { rows: [], skipped: 0 };
  }
  async cephStatus(): Promise<never> {
    this.record("cephStatus");
    throw new Error("no Ceph in the fake");
  }

  async version() {
    this.record("version");
    return VersionSchema.parse({ version: "8.2.4", release: "8.2", repoid: "faa83925c9641325" });
  }

  async clusterStatus() {
    this.record("clusterStatus");
    const nodeRows = [...this.nodes].map(([name, online], index) => ({
      type: "node", id: `node/${name}`, name, nodeid: index + 1, ip: `192.0.2.${11 + index}`, local: index === 0 ? 1 : 0, online: online ? 1 : 0, level: "",
    }));
    const clusterRow = this.clusterName ? [{ type: "cluster", id: "cluster", name: this.clusterName, nodes: this.nodes.size, version: 3, quorate: 1 }] : [];
    return rows(ClusterStatusRowSchema, [...nodeRows, ...clusterRow]);
  }

  async clusterResources() {
    this.record("clusterResources");
    const guestRows = this.guests.map((guest) => {
      const online = this.nodes.get(guest.node) === true;
      if (!online) return { type: guest.kind, id: `${guest.kind}/${guest.vmid}`, vmid: guest.vmid, node: guest.node, status: "unknown", template: guest.template ? 1 : 0, ...(guest.lock ? { lock: guest.lock } : {}) };
      const running = guest.status !== "stopped";
      const [netin, netout, diskread, diskwrite] = guest.counters ?? [0, 0, 0, 0];
      return {
        type: guest.kind, id: `${guest.kind}/${guest.vmid}`, vmid: guest.vmid, node: guest.node, status: guest.status, template: guest.template ? 1 : 0,
        ...(guest.name ? { name: guest.name } : {}), ...(guest.lock ? { lock: guest.lock } : {}),
        cpu: running ? 0.05 : 0, maxcpu: 2, mem: running ? 1024 : 0, maxmem: 2048, disk: 0, maxdisk: 4096, uptime: running ? (guest.uptime ?? 100) : 0,
        netin, netout, diskread, diskwrite,
      };
    });
    const nodeRows = [...this.nodes].map(([name, online]) =>
      online
        ? { type: "node", id: `node/${name}`, node: name, status: "online", cpu: 0.1, maxcpu: 8, mem: 100, maxmem: 1000, disk: 10, maxdisk: 100, uptime: 5000, level: "" }
        : { type: "node", id: `node/${name}`, node: name, status: "offline" },
    );
    const storageRows = this.storages.map((storage) => ({
      type: "storage", id: `storage/${storage.node}/${storage.storage}`, node: storage.node, storage: storage.storage, status: storage.status,
      plugintype: storage.shared ? "nfs" : "dir", shared: storage.shared ? 1 : 0, content: storage.content, ...(storage.status === "available" ? { disk: 5, maxdisk: 10 } : {}),
    }));
    return rows(ResourceRowSchema, [...guestRows, ...nodeRows, ...storageRows]);
  }

  async nodeStatus(node: string) {
    this.record("nodeStatus", node);
    if (this.nodes.get(node) !== true) throw new PveHttpError(595, `Errors during connection establishment, proxy handshake: No route to host`, `/nodes/${node}/status`);
    return NodeStatusSchema.parse(rawNodeStatus());
  }

  private guest(kind: GuestKind, node: string, vmid: number): FakeGuest {
    const guest = this.guests.find((item) => item.kind === kind && item.vmid === vmid && item.node === node);
    if (!guest) throw new PveHttpError(500, `Configuration file 'nodes/${node}/${kind === "qemu" ? "qemu-server" : "lxc"}/${vmid}.conf' does not exist`, `/nodes/${node}/${kind}/${vmid}`);
    return guest;
  }

  async guestStatus(kind: GuestKind, node: string, vmid: number) {
    this.record("guestStatus", kind, node, vmid);
    const guest = this.guest(kind, node, vmid);
    return GuestStatusSchema.parse(guest.live ?? { vmid, name: guest.name ?? `VM ${vmid}`, status: guest.status === "stopped" ? "stopped" : "running", qmpstatus: guest.status, uptime: guest.uptime ?? 0 });
  }

  async guestConfig(kind: GuestKind, node: string, vmid: number) {
    this.record("guestConfig", kind, node, vmid);
    return GuestConfigSchema.parse(this.guest(kind, node, vmid).config ?? {});
  }

  async agentInterfaces(node: string, vmid: number) {
    this.record("agentInterfaces", node, vmid);
    const agent = this.guest("qemu", node, vmid).agent;
    if (agent === undefined || typeof agent === "string") throw new PveHttpError(500, agent ?? "QEMU guest agent is not running", `/nodes/${node}/qemu/${vmid}/agent/network-get-interfaces`);
    return rows(AgentInterfaceSchema, agent);
  }

  async agentOsInfo(node: string, vmid: number) {
    this.record("agentOsInfo", node, vmid);
    const guest = this.guest("qemu", node, vmid);
    const path = `/nodes/${node}/qemu/${vmid}/agent/get-osinfo`;
    if (guest.agent === undefined || typeof guest.agent === "string") throw new PveHttpError(500, guest.agent ?? "QEMU guest agent is not running", path);
    if (typeof guest.osinfo === "string") throw new PveHttpError(500, guest.osinfo, path);
    return AgentOsInfoSchema.parse(guest.osinfo ?? {});
  }

  async lxcInterfaces(node: string, vmid: number) {
    this.record("lxcInterfaces", node, vmid);
    const interfaces = this.guest("lxc", node, vmid).interfaces;
    if (typeof interfaces === "string") throw new PveHttpError(501, interfaces, `/nodes/${node}/lxc/${vmid}/interfaces`);
    return rows(LxcInterfaceSchema, interfaces ?? []);
  }

  async snapshots(kind: GuestKind, node: string, vmid: number) {
    this.record("snapshots", kind, node, vmid);
    const guest = this.guest(kind, node, vmid);
    return rows(SnapshotRowSchema, [...(guest.snapshots ?? []), { name: "current", digest: "abc", running: 1, description: "You are here!" }]);
  }

  async storageContent(node: string, storage: string, content: "backup", vmid?: number) {
    this.record("storageContent", node, storage, content, vmid);
    const found = this.storages.find((item) => item.storage === storage && item.node === node);
    if (!found) throw new PveHttpError(400, "No such storage.", `/nodes/${node}/storage/${storage}/content`);
    const all = found.backups ?? [];
    return rows(StorageContentRowSchema, vmid === undefined ? all : all.filter((row) => (row as { vmid?: number }).vmid === vmid));
  }

  async storageStatus(): Promise<never> { return this.unused("storageStatus"); }
  async taskStatus(): Promise<never> { return this.unused("taskStatus"); }
  async permissions(): Promise<never> { return this.unused("permissions"); }
  async guestPower(): Promise<never> { return this.unused("guestPower"); }
  async snapshot(): Promise<never> { return this.unused("snapshot"); }
  async vzdump(): Promise<never> { return this.unused("vzdump"); }
  async snapshotDelete(): Promise<never> { return this.unused("snapshotDelete"); }
  async rollback(): Promise<never> { return this.unused("rollback"); }
  async nodePower(): Promise<never> { return this.unused("nodePower"); }
  async nodeBulk(): Promise<never> { return this.unused("nodeBulk"); }
  private unused(method: string): never {
    throw new Error(`the poller must not call ${method}`);
  }
  hosts() { return []; }
  connectedHost() { return null; }
  async close() {}
}
