import type { SimAuth, SimIdentity } from "./auth.js";
import type { SimHealth } from "./health.js";
import { SimHttpError } from "./http-error.js";
import type { ClusterModel, SimGuest, SimNode } from "./model.js";
import type { TaskRunner } from "./tasks.js";
import type { TimerSet } from "./timers.js";

export interface SimSettings {
  clusterName: string | null;
  version: string;
  repoid: string;
  taskDurationMs: number;
  haDelayMs: number;
  fingerprint: string;
}

/** Everything a route handler may touch. */
export interface SimContext {
  model: ClusterModel;
  tasks: TaskRunner;
  /** Disks, ZFS pools, apt updates, Ceph: the health data and its test handles. */
  health: SimHealth;
  auth: SimAuth;
  timers: TimerSet;
  settings: SimSettings;
  counters: { logins: number; renewals: number };
  /** The node each host stands for. */
  hostNode(host: number): string;
}

export interface SimCall {
  ctx: SimContext;
  host: number;
  method: string;
  path: string;
  /** Path parameters of the route. */
  params: Record<string, string>;
  /** Query on GET/DELETE, body on POST/PUT. */
  args: Record<string, string>;
  identity: SimIdentity | undefined;
  /** A PVEAPIToken header came with the request (even if not verified). */
  tokenHeader: boolean;
}

export type Handler = (call: SimCall) => unknown;

/** A handler's answer with keys beside `data`, as PVE's `set_result_attrib` adds them (e.g. a task log's `total`). */
export class SimResult {
  constructor(
    readonly data: unknown,
    readonly attribs: Record<string, unknown>,
  ) {}
}

export function param(call: SimCall, name: string): string {
  const value = call.params[name];
  if (value === undefined) throw new Error(`route parameter ${name} missing`);
  return value;
}

export function requireNode(call: SimCall): SimNode {
  const name = param(call, "node");
  const node = call.ctx.model.nodes.get(name);
  if (!node) throw new SimHttpError(500, `hostname lookup '${name}' failed - failed to get address info for: ${name}: Name or service not known`);
  return node;
}

/** The guest addressed in the path, refused the way PVE does when it is not on that node. */
export function requireGuest(call: SimCall): SimGuest {
  const node = param(call, "node");
  const kind = param(call, "kind");
  const vmid = Number(param(call, "vmid"));
  const guest = call.ctx.model.guests.get(vmid);
  if (!guest || guest.node !== node || guest.kind !== kind) {
    const file = kind === "qemu" ? `nodes/${node}/qemu-server/${vmid}.conf` : `nodes/${node}/lxc/${vmid}.conf`;
    throw new SimHttpError(500, `Configuration file '${file}' does not exist`);
  }
  return guest;
}

/** The user a task runs as: "user@realm" or "user@realm!token". */
export function taskUser(call: SimCall): string {
  const identity = call.identity;
  if (!identity) return "root@pam";
  return identity.tokenid ?? identity.userid;
}

export function okStatus(guest: SimGuest | undefined): string {
  return guest?.warnings ? "WARNINGS: 1" : "OK";
}

export function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
