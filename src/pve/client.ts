import type { Logger } from "../log.js";
import { PveAuthError, PveClosedError } from "./errors.js";
import { Failover } from "./failover.js";
import {
  DEFAULT_HOST_RETRY_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RETRY_BASE_MS,
  type PveClientOptions,
} from "./options.js";
import { HealthReads, type PveHealthApi, type TaskLog, seg } from "./health-reads.js";
import type { AptUpdateRow, CephStatus, ClusterTaskRow, DiskRow, DiskSmart, HaStatusRow, ZfsPoolRow } from "./health-schemas.js";
import { readData, readEnvelope, toHttpError } from "./response.js";
import { isKnownResource, isValidResource } from "./resource-rows.js";
import { RowValidator } from "./rows.js";
import {
  AgentInterfaceSchema,
  AgentOsInfoAnswerSchema,
  ClusterStatusRowSchema,
  GuestConfigSchema,
  GuestStatusSchema,
  LxcInterfaceSchema,
  NodeStatusSchema,
  PermissionsSchema,
  ResourceRowSchema,
  SnapshotRowSchema,
  StorageContentRowSchema,
  StorageStatusSchema,
  TaskStatusSchema,
  VersionSchema,
  type AgentInterface,
  type AgentOsInfo,
  type ClusterStatusRow,
  type GuestConfig,
  type GuestStatus,
  type LxcInterface,
  type NodeStatus,
  type Permissions,
  type PveVersion,
  type ResourceRow,
  type SnapshotRow,
  type StorageContentRow,
  type StorageStatus,
  type TaskStatus,
} from "./schemas.js";
import { LOGIN_PATH, Session } from "./session.js";
import { encodeForm, formHeaders } from "./form.js";
import { parseUpid, upidFrom } from "./tasks.js";
import type { FormParams, GuestKind, HostHealth, PveApi, Rows } from "./types.js";

export type { PveClientOptions } from "./options.js";

/** PVE answers every 401 no sooner than 3 s after the request: a login needs more time than that. */
const LOGIN_MIN_TIMEOUT_MS = 5000;

interface CallOptions {
  query?: FormParams;
  form?: FormParams;
  /** The whole answer ({data, …}), not only its data. */
  envelope?: boolean;
}

/** The typed PVE API over failover, session, retries, size cap and validation. */
export class PveClient implements PveApi, PveHealthApi {
  private readonly failover: Failover;
  private readonly session: Session;
  private readonly validate: RowValidator;
  private readonly log: Logger;
  private readonly healthReads: HealthReads;
  private closed = false;

  constructor(options: PveClientOptions) {
    const now = options.now ?? Date.now;
    this.log = options.log;
    this.validate = new RowValidator(options.log);
    this.healthReads = new HealthReads((path, query) => this.call("GET", path, { query: query ?? {}, envelope: true }) as Promise<{ data: unknown }>, this.validate);
    this.failover = new Failover(options.hosts, {
      tls: { verifyTls: options.verifyTls, fingerprints: options.fingerprints, caPem: options.caPem },
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      hostRetryBaseMs: options.hostRetryBaseMs ?? DEFAULT_HOST_RETRY_MS,
      retryBaseMs: options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      now,
      log: options.log,
      events: options.events,
    });
    const loginTimeoutMs = Math.max(options.timeoutMs, LOGIN_MIN_TIMEOUT_MS);
    this.session = new Session(
      options.auth,
      async (form) => {
        const { response } = await this.failover.send(
          { method: "POST", path: LOGIN_PATH, headers: formHeaders(), body: new URLSearchParams(form).toString() },
          // A login starts nothing on PVE: sending it again elsewhere is harmless.
          { write: false, timeoutMs: loginTimeoutMs },
        );
        return response;
      },
      now,
      options.log,
      (kind) => options.events?.login?.(kind),
    );
  }

  // ---- reads ----

  async version(): Promise<PveVersion> {
    return this.validate.one(VersionSchema, await this.get("/version"), "/version");
  }

  async clusterStatus(): Promise<Rows<ClusterStatusRow>> {
    return this.validate.rows(ClusterStatusRowSchema, await this.get("/cluster/status"), "/cluster/status", "/cluster/status");
  }

  async clusterResources(): Promise<Rows<ResourceRow>> {
    const path = "/cluster/resources";
    return this.validate.rows(ResourceRowSchema, await this.get(path), path, path, { keep: isKnownResource, check: isValidResource });
  }

  async nodeStatus(node: string): Promise<NodeStatus> {
    const path = `/nodes/${seg(node)}/status`;
    return this.validate.one(NodeStatusSchema, await this.get(path), path);
  }

  async guestStatus(kind: GuestKind, node: string, vmid: number): Promise<GuestStatus> {
    const path = `${guestPath(kind, node, vmid)}/status/current`;
    return this.validate.one(GuestStatusSchema, await this.get(path), path);
  }

  async guestConfig(kind: GuestKind, node: string, vmid: number): Promise<GuestConfig> {
    const path = `${guestPath(kind, node, vmid)}/config`;
    return this.validate.one(GuestConfigSchema, await this.get(path), path);
  }

  async agentInterfaces(node: string, vmid: number): Promise<Rows<AgentInterface>> {
    const path = `${guestPath("qemu", node, vmid)}/agent/network-get-interfaces`;
    const data = await this.get(path);
    // The agent's answer sits under `result`.
    const result = typeof data === "object" && data !== null && "result" in data ? (data as { result: unknown }).result : data;
    return this.validate.rows(AgentInterfaceSchema, result, path, "/nodes/{node}/qemu/{vmid}/agent/network-get-interfaces");
  }

  async agentOsInfo(node: string, vmid: number): Promise<AgentOsInfo> {
    const path = `${guestPath("qemu", node, vmid)}/agent/get-osinfo`;
    return this.validate.one(AgentOsInfoAnswerSchema, await this.get(path), path).result;
  }

  async lxcInterfaces(node: string, vmid: number): Promise<Rows<LxcInterface>> {
    const path = `${guestPath("lxc", node, vmid)}/interfaces`;
    return this.validate.rows(LxcInterfaceSchema, await this.get(path), path, "/nodes/{node}/lxc/{vmid}/interfaces");
  }

  /** Real snapshots only: PVE's pseudo row `current` ("You are here!") is left out. */
  async snapshots(kind: GuestKind, node: string, vmid: number): Promise<Rows<SnapshotRow>> {
    const path = `${guestPath(kind, node, vmid)}/snapshot`;
    const isReal = (row: unknown) => !(typeof row === "object" && row !== null && (row as { name?: unknown }).name === "current");
    return this.validate.rows(SnapshotRowSchema, await this.get(path), path, `/nodes/{node}/${kind}/{vmid}/snapshot`, { keep: isReal });
  }

  async storageStatus(node: string, storage: string): Promise<StorageStatus> {
    const path = `/nodes/${seg(node)}/storage/${seg(storage)}/status`;
    return this.validate.one(StorageStatusSchema, await this.get(path), path);
  }

  async storageContent(node: string, storage: string, content: "backup", vmid?: number): Promise<Rows<StorageContentRow>> {
    const path = `/nodes/${seg(node)}/storage/${seg(storage)}/content`;
    const data = await this.get(path, { query: { content, vmid } });
    return this.validate.rows(StorageContentRowSchema, data, path, "/nodes/{node}/storage/{storage}/content");
  }

  /** Asked of the node named in the UPID: any other node answers 400 "no such task". */
  async taskStatus(upid: string): Promise<TaskStatus> {
    const path = `/nodes/${seg(parseUpid(upid).node)}/tasks/${seg(upid)}/status`;
    return this.validate.one(TaskStatusSchema, await this.get(path), path);
  }

  async permissions(): Promise<Permissions> {
    const data = await this.get("/access/permissions");
    return this.validate.one(PermissionsSchema, data ?? {}, "/access/permissions");
  }

  // ---- health reads (health-reads.ts) ----
  readonly clusterTasks = (): Promise<Rows<ClusterTaskRow>> => this.healthReads.clusterTasks();
  readonly taskLog = (node: string, upid: string, start?: number): Promise<TaskLog> => this.healthReads.taskLog(node, upid, start);
  readonly diskList = (node: string): Promise<Rows<DiskRow>> => this.healthReads.diskList(node);
  readonly diskSmart = (node: string, devpath: string): Promise<DiskSmart> => this.healthReads.diskSmart(node, devpath);
  readonly zfsPools = (node: string): Promise<Rows<ZfsPoolRow>> => this.healthReads.zfsPools(node);
  readonly aptUpdates = (node: string): Promise<Rows<AptUpdateRow>> => this.healthReads.aptUpdates(node);
  readonly haStatus = (): Promise<Rows<HaStatusRow>> => this.healthReads.haStatus();
  readonly cephStatus = (): Promise<CephStatus> => this.healthReads.cephStatus();

  // ---- writes ----

  async guestPower(
    kind: GuestKind,
    node: string,
    vmid: number,
    action: "start" | "stop" | "shutdown" | "reboot" | "suspend" | "resume",
    params?: FormParams,
  ): Promise<string> {
    const path = `${guestPath(kind, node, vmid)}/status/${seg(action)}`;
    return upidFrom(path, await this.post(path, params));
  }

  async snapshot(kind: GuestKind, node: string, vmid: number, params: FormParams): Promise<string> {
    const path = `${guestPath(kind, node, vmid)}/snapshot`;
    return upidFrom(path, await this.post(path, params));
  }

  async snapshotDelete(kind: GuestKind, node: string, vmid: number, name: string): Promise<string> {
    const path = `${guestPath(kind, node, vmid)}/snapshot/${seg(name)}`;
    return upidFrom(path, await this.call("DELETE", path, {}));
  }

  async rollback(kind: GuestKind, node: string, vmid: number, name: string, params: FormParams): Promise<string> {
    const path = `${guestPath(kind, node, vmid)}/snapshot/${seg(name)}/rollback`;
    return upidFrom(path, await this.post(path, params));
  }

  async vzdump(node: string, params: FormParams): Promise<string> {
    const path = `/nodes/${seg(node)}/vzdump`;
    const data = await this.post(path, params);
    // "OK" (and nothing runs) when the guest is not on that node.
    if (data === "OK") return data;
    return upidFrom(path, data);
  }

  async nodePower(node: string, command: "reboot" | "shutdown"): Promise<void> {
    await this.post(`/nodes/${seg(node)}/status`, { command });
  }

  async nodeBulk(node: string, action: "startall" | "stopall", params?: FormParams): Promise<string> {
    const path = `/nodes/${seg(node)}/${action}`;
    return upidFrom(path, await this.post(path, params));
  }

  // ---- health and lifecycle ----

  hosts(): HostHealth[] {
    return this.failover.health();
  }

  connectedHost(): string | null {
    return this.failover.connected();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.failover.close();
  }

  // ---- plumbing ----

  private get(path: string, options: CallOptions = {}): Promise<unknown> {
    return this.call("GET", path, options);
  }

  private post(path: string, form: FormParams | undefined): Promise<unknown> {
    return this.call("POST", path, { form: form ?? {} });
  }

  /**
   * One API call. On a 401 with a ticket: log in again once and repeat once. That is safe for a
   * POST too, because a 401 means PVE refused the request and ran nothing.
   */
  private async call(method: "GET" | "POST" | "DELETE", path: string, options: CallOptions): Promise<unknown> {
    const query = encodeForm(options.query);
    const fullPath = query ? `${path}?${query}` : path;
    const write = method !== "GET";
    for (let attempt = 0; ; attempt += 1) {
      if (this.closed) throw new PveClosedError();
      const auth = await this.session.headers(write);
      const headers: Record<string, string> = { ...auth.headers, accept: "application/json", ...(method === "POST" ? formHeaders() : {}) };
      const { response } = await this.failover.send(
        { method, path: fullPath, headers, ...(method === "POST" ? { body: encodeForm(options.form) } : {}) },
        { write },
      );
      if (response.status !== 401) return options.envelope ? readEnvelope(fullPath, response) : readData(fullPath, response);
      if (this.session.usesTicket && attempt === 0) {
        this.log.info(`PVE refused the ticket for ${method} ${path} (${response.statusMessage}); logging in again`);
        await this.session.refreshAfter401(auth.generation);
        continue;
      }
      const reason = toHttpError(fullPath, response).message;
      throw new PveAuthError(
        this.session.usesTicket
          ? `PVE refused ${this.session.identity} for ${method} ${path} even after a new login: ${reason}`
          : `PVE refused the API token ${this.session.identity}: ${reason}; check token_id and token_secret`,
      );
    }
  }
}

function guestPath(kind: GuestKind, node: string, vmid: number): string {
  return `/nodes/${seg(node)}/${kind}/${seg(vmid)}`;
}
