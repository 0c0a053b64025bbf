import type { PveHealthApi } from "./health-reads.js";
import type {
  AgentInterface,
  AgentOsInfo,
  ClusterStatusRow,
  GuestConfig,
  GuestStatus,
  LxcInterface,
  NodeStatus,
  Permissions,
  PveVersion,
  ResourceRow,
  SnapshotRow,
  StorageContentRow,
  StorageStatus,
  TaskStatus,
} from "./schemas.js";

export type GuestKind = "qemu" | "lxc";

/** Parameters are sent as form fields; booleans must already be 0/1. */
export type FormParams = Record<string, string | number | undefined>;

/** What bridge/info and `check` show about each configured host. */
export interface HostHealth {
  origin: string;
  /** "ok": answered last time; "down": put aside until `retryAt`; "untried": never used yet. */
  state: "ok" | "down" | "untried";
  lastError: string | null;
  /** ISO time until which the host is put aside, or null. */
  retryAt: string | null;
  consecutiveFailures: number;
}

/** Optional hooks for metrics: what the client did, as it happens. Never given secrets. */
export interface PveEvents {
  /** One attempt at one host; `status` 0 when no HTTP answer came (connect error, timeout). */
  request?(event: { method: string; path: string; status: number }): void;
  /** A ticket was obtained with the password ("login") or by renewing the current one ("renewal"). */
  login?(kind: "login" | "renewal"): void;
  /** A host was put aside and the next one tried. */
  hostDown?(origin: string): void;
}

/** The outcome of a list read validated row by row. */
export interface Rows<T> {
  rows: T[];
  /** How many rows failed validation (each was logged once and skipped). */
  skipped: number;
}

/**
 * The typed PVE API the rest of the daemon uses. Implemented by `PveClient` (client.ts) over the
 * session, failover and retry machinery. Every method throws a `PveError` subclass (errors.ts).
 */
export interface PveApi extends PveHealthApi {
  version(): Promise<PveVersion>;
  clusterStatus(): Promise<Rows<ClusterStatusRow>>;
  /** Rows of unknown `type` are dropped silently; malformed rows of known types are skipped and logged. */
  clusterResources(): Promise<Rows<ResourceRow>>;
  nodeStatus(node: string): Promise<NodeStatus>;
  guestStatus(kind: GuestKind, node: string, vmid: number): Promise<GuestStatus>;
  guestConfig(kind: GuestKind, node: string, vmid: number): Promise<GuestConfig>;
  agentInterfaces(node: string, vmid: number): Promise<Rows<AgentInterface>>;
  /** GET …/qemu/{vmid}/agent/get-osinfo: the agent's `result` (same privilege and 500s as the interfaces). */
  agentOsInfo(node: string, vmid: number): Promise<AgentOsInfo>;
  /** A stopped CT answers `data: null`: that is an empty list. */
  lxcInterfaces(node: string, vmid: number): Promise<Rows<LxcInterface>>;
  snapshots(kind: GuestKind, node: string, vmid: number): Promise<Rows<SnapshotRow>>;
  storageStatus(node: string, storage: string): Promise<StorageStatus>;
  storageContent(node: string, storage: string, content: "backup", vmid?: number): Promise<Rows<StorageContentRow>>;
  taskStatus(upid: string): Promise<TaskStatus>;
  permissions(): Promise<Permissions>;

  /** POST `/nodes/{node}/{kind}/{vmid}/status/{action}`; returns the UPID. */
  guestPower(
    kind: GuestKind,
    node: string,
    vmid: number,
    action: "start" | "stop" | "shutdown" | "reboot" | "suspend" | "resume",
    params?: FormParams,
  ): Promise<string>;
  /** POST `/nodes/{node}/{kind}/{vmid}/snapshot`; returns the UPID. */
  snapshot(kind: GuestKind, node: string, vmid: number, params: FormParams): Promise<string>;
  /** DELETE `/nodes/{node}/{kind}/{vmid}/snapshot/{name}`; returns the UPID (a missing snapshot fails in the task). */
  snapshotDelete(kind: GuestKind, node: string, vmid: number, name: string): Promise<string>;
  /** POST `/nodes/{node}/{kind}/{vmid}/snapshot/{name}/rollback` (`start` 0/1); returns the UPID. */
  rollback(kind: GuestKind, node: string, vmid: number, name: string, params: FormParams): Promise<string>;
  /** POST `/nodes/{node}/vzdump`; returns the UPID, or the literal "OK" when the guest is not on that node. */
  vzdump(node: string, params: FormParams): Promise<string>;
  /** POST `/nodes/{node}/status` command=reboot|shutdown; PVE answers null (no task). */
  nodePower(node: string, command: "reboot" | "shutdown"): Promise<void>;
  /** POST `/nodes/{node}/startall` or `/stopall`; returns the UPID. */
  nodeBulk(node: string, action: "startall" | "stopall", params?: FormParams): Promise<string>;

  /** Health of every configured host, in config order. */
  hosts(): HostHealth[];
  /** The origin of the host that answered the latest request, or null before the first. */
  connectedHost(): string | null;
  /** Releases sockets and timers. */
  close(): Promise<void>;
}
