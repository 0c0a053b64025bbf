/** Public option and record types of the PVE simulator. */

export type SimGuestStatus = "running" | "stopped" | "paused" | "hibernated" | "suspended" | "prelaunch" | "io-error";

export interface SimGuestSpec {
  vmid: number;
  kind: "qemu" | "lxc";
  node: string;
  name?: string;
  /** Default running. "hibernated" = stopped with lock "suspended". */
  status?: SimGuestStatus;
  template?: boolean;
  /** qemu guest agent enabled in config (and answering unless agentRunning is false). */
  agent?: boolean;
  /** Default = agent; false → agent calls fail "QEMU guest agent is not running". */
  agentRunning?: boolean;
  /** The config's `ostype`; default "l26" (qemu) or "debian" (lxc). */
  ostype?: string;
  /** The agent's `guest-get-osinfo` answer (`pretty-name`, `name`, `version-id`, …); default Debian 12. */
  osInfo?: Readonly<Record<string, string>>;
  /** HA-managed: start/stop/shutdown give hastart/hastop tasks. */
  ha?: boolean;
  lock?: string;
  tags?: string[];
  cores?: number;
  /** bytes */
  memory?: number;
  /** bytes */
  disk?: number;
  ipv4?: string[];
  ipv6?: string[];
  /** Default true; false → snapshot task fails "snapshot feature is not available". */
  snapshotFeature?: boolean;
  /** Successful tasks of this guest end with "WARNINGS: 1" instead of "OK". */
  warnings?: boolean;
  /** Its part of every backup job fails with this reason, e.g. "storage 'nas' is not online"; undefined: succeeds. */
  backupError?: string;
}

export interface SimStorageSpec {
  storage: string;
  type: string;
  shared?: boolean;
  content: string[];
  total: number;
  used: number;
  /** Default: every node. */
  nodes?: string[];
  active?: boolean;
}

export interface SimOptions {
  nodes?: number | string[];
  guests?: SimGuestSpec[] | number;
  storages?: SimStorageSpec[];
  hosts?: number;
  /** Port of the first host, the next ones on the ports after it; 0 or absent: free ports. */
  port?: number;
  /** Key and certificate to serve (e.g. `certificateInDir`); absent: one made per process. */
  certificate?: { certPem: string; keyPem: string; fingerprint: string };
  clusterName?: string | null;
  version?: string;
  users?: Record<string, string>;
  tfaUsers?: string[];
  tokens?: Record<string, { secret: string; privsep?: boolean; emptyAcl?: boolean }>;
  ticketLifetimeSec?: number;
  authFailureDelayMs?: number;
  taskDurationMs?: number;
  haDelayMs?: number;
  statsLagMs?: number;
  now?: () => number;
  animate?: boolean;
  seed?: number;
}

export interface SimRequest {
  host: number;
  method: string;
  /** Without the /api2/json prefix, URL-decoded. */
  path: string;
  query: Record<string, string>;
  body: Record<string, string>;
  status: number;
  auth: "ticket" | "token" | "none";
  csrf: boolean;
  at: number;
}

export interface SimFault {
  host?: number;
  method?: string;
  path: string | RegExp;
  /** "rewrite": the normal answer's `data` passed through `rewrite` (a field PVE changed, a new row type). */
  kind: "status" | "malformed" | "truncated" | "huge" | "hang" | "slow" | "rewrite";
  status?: number;
  reason?: string;
  delayMs?: number;
  hugeBytes?: number;
  rewrite?: (data: unknown) => unknown;
  times?: number;
}

/** One guest in brief (PveSimulator.guestSummaries). */
export interface SimGuestSummary {
  vmid: number;
  kind: "qemu" | "lxc";
  node: string;
  status: string;
  template: boolean;
  agent: boolean;
}

export interface SimGuestView {
  node: string;
  status: string;
  lock?: string;
  snapshots: string[];
  backups: number;
}
