import { z } from "zod";

/*
 * zod schemas of the PVE responses pve2mqtt reads. Only what identifies a row is required
 * (PVE drops fields for offline nodes and unprivileged users); everything else is optional.
 * Unknown keys are stripped, except from /cluster/resources rows, which are only checked (see
 * below). Lists are validated row by row (see rows.ts).
 */

const optNum = z.number().optional();
/** A number PVE may send as a string (regex-captured values such as loadavg or mhz). */
const numeric = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
/** PVE's boolean: 0/1 (or true/false from some endpoints), kept as sent; read it with `isSet`. */
const rawFlag = z.literal([0, 1, true, false]);
/** The same, as a boolean. */
const flag = rawFlag.transform(isSet);

/** Whether a PVE boolean (`rawFlag`) is set. */
export function isSet(flag: 0 | 1 | boolean | undefined): boolean {
  return flag === 1 || flag === true;
}

export const VersionSchema = z.object({
  version: z.string(),
  release: z.string().optional(),
  repoid: z.string().optional(),
});
export type PveVersion = z.infer<typeof VersionSchema>;

export const ClusterStatusRowSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("cluster"),
    id: z.string(),
    name: z.string(),
    nodes: optNum,
    version: optNum,
    quorate: flag.optional(),
  }),
  z.object({
    type: z.literal("node"),
    id: z.string(),
    name: z.string(),
    nodeid: optNum,
    ip: z.string().optional(),
    local: flag.optional(),
    online: flag.optional(),
    level: z.string().optional(),
  }),
]);
export type ClusterStatusRow = z.infer<typeof ClusterStatusRowSchema>;

/*
 * /cluster/resources is the one answer validated every cycle at full size (a row per guest): its
 * schema holds only the fields pve2mqtt reads, one object for both guest kinds, and no
 * transforms, so a valid row is kept as parsed from the JSON instead of rebuilt (`check` in
 * rows.ts). Each kind's schema is compiled by zod (`z.compile`); docs/performance.md has the
 * measurements behind this.
 */
/** A guest's I/O counters, as /cluster/resources and status/current both send them. */
const ioCounterFields = {
  netin: optNum,
  netout: optNum,
  diskread: optNum,
  diskwrite: optNum,
};

/** Usage fields nodes and guests share in /cluster/resources. */
const usageFields = {
  cpu: optNum,
  maxcpu: optNum,
  mem: optNum,
  maxmem: optNum,
  disk: optNum,
  maxdisk: optNum,
  uptime: optNum,
};

export const NodeResourceSchema = z.compile(z.object({
  type: z.literal("node"),
  node: z.string(),
  status: z.string().optional(),
  ...usageFields,
}));

export const GuestResourceSchema = z.compile(z.object({
  type: z.enum(["qemu", "lxc"]),
  vmid: z.number().int(),
  node: z.string(),
  name: z.string().optional(),
  status: z.string().optional(),
  template: rawFlag.optional(),
  ...usageFields,
  ...ioCounterFields,
  lock: z.string().optional(),
  tags: z.string().optional(),
  hastate: z.string().optional(),
}));

export const StorageResourceSchema = z.compile(z.object({
  type: z.literal("storage"),
  node: z.string(),
  storage: z.string(),
  status: z.string().optional(),
  plugintype: z.string().optional(),
  shared: rawFlag.optional(),
  content: z.string().optional(),
  disk: optNum,
  maxdisk: optNum,
}));

/** Any known resources row (what a row its kind's `validate` refuses is parsed with, for the issue to log). */
export const ResourceRowSchema = z.discriminatedUnion("type", [NodeResourceSchema, GuestResourceSchema, StorageResourceSchema]);
export type ResourceRow = z.infer<typeof ResourceRowSchema>;
export type NodeResourceRow = Extract<ResourceRow, { type: "node" }>;
export type GuestResourceRow = Extract<ResourceRow, { type: "qemu" | "lxc" }>;
export type StorageResourceRow = Extract<ResourceRow, { type: "storage" }>;
/** Row types pve2mqtt knows; others (pool, sdn, network, …) are skipped silently. */
export const KNOWN_RESOURCE_TYPES = new Set(["node", "qemu", "lxc", "storage"]);

const usage = z.object({ total: optNum, used: optNum, free: optNum });

export const NodeStatusSchema = z.object({
  uptime: optNum,
  cpu: optNum,
  wait: optNum,
  loadavg: z.array(numeric).length(3).optional(),
  cpuinfo: z.object({ model: z.string().optional(), cpus: optNum, cores: optNum, sockets: optNum, mhz: numeric.optional() }).optional(),
  memory: usage.extend({ available: optNum }).optional(),
  swap: usage.optional(),
  rootfs: usage.extend({ avail: optNum }).optional(),
  pveversion: z.string().optional(),
  kversion: z.string().optional(),
  "current-kernel": z.object({ sysname: z.string().optional(), release: z.string().optional() }).optional(),
});
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

export const GuestStatusSchema = z.object({
  vmid: z.union([z.number(), z.string().transform(Number)]).optional(),
  name: z.string().optional(),
  status: z.string(),
  qmpstatus: z.string().optional(),
  uptime: optNum,
  cpus: optNum,
  cpu: optNum,
  mem: optNum,
  maxmem: optNum,
  disk: optNum,
  maxdisk: optNum,
  ...ioCounterFields,
  lock: z.string().optional(),
  tags: z.string().optional(),
  agent: flag.optional(),
  template: flag.optional(),
  ha: z.object({ managed: flag.optional(), state: z.string().optional(), group: z.string().nullable().optional() }).optional(),
});
export type GuestStatus = z.infer<typeof GuestStatusSchema>;

/** Guest config: key → value; only a few keys matter (agent, netN, name/hostname). */
export const GuestConfigSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type GuestConfig = z.infer<typeof GuestConfigSchema>;

export const AgentInterfaceSchema = z.object({
  name: z.string(),
  "hardware-address": z.string().optional(),
  "ip-addresses": z
    .array(z.object({ "ip-address": z.string(), "ip-address-type": z.string(), prefix: optNum }))
    .optional(),
});
export type AgentInterface = z.infer<typeof AgentInterfaceSchema>;

/** qemu-ga's `guest-get-osinfo` (Linux guests fill it from os-release): every field may be absent. */
export const AgentOsInfoSchema = z.object({
  "pretty-name": z.string().optional(),
  name: z.string().optional(),
  id: z.string().optional(),
  version: z.string().optional(),
  "version-id": z.string().optional(),
  variant: z.string().optional(),
  "variant-id": z.string().optional(),
  "kernel-release": z.string().optional(),
  "kernel-version": z.string().optional(),
  machine: z.string().optional(),
});
export type AgentOsInfo = z.infer<typeof AgentOsInfoSchema>;
/** PVE hands every agent answer back under `result`. */
export const AgentOsInfoAnswerSchema = z.object({ result: AgentOsInfoSchema });

export const LxcInterfaceSchema = z.object({
  name: z.string(),
  hwaddr: z.string().optional(),
  inet: z.string().optional(),
  inet6: z.string().optional(),
});
export type LxcInterface = z.infer<typeof LxcInterfaceSchema>;

export const SnapshotRowSchema = z.object({
  name: z.string(),
  snaptime: optNum,
  description: z.string().optional(),
  vmstate: flag.optional(),
  parent: z.string().optional(),
});
export type SnapshotRow = z.infer<typeof SnapshotRowSchema>;

export const StorageContentRowSchema = z.object({
  volid: z.string(),
  content: z.string().optional(),
  ctime: optNum,
  vmid: z.union([z.number(), z.string().transform(Number)]).optional(),
  size: optNum,
  format: z.string().optional(),
});
export type StorageContentRow = z.infer<typeof StorageContentRowSchema>;

export const StorageStatusSchema = z.object({
  type: z.string().optional(),
  content: z.string().optional(),
  shared: flag.optional(),
  enabled: flag.optional(),
  active: flag.optional(),
  total: optNum,
  used: optNum,
  avail: optNum,
});
export type StorageStatus = z.infer<typeof StorageStatusSchema>;

export const TaskStatusSchema = z.object({
  upid: z.string(),
  node: z.string().optional(),
  type: z.string().optional(),
  id: z.string().optional(),
  status: z.enum(["running", "stopped"]),
  exitstatus: z.string().optional(),
  starttime: optNum,
});
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/** path → privilege → propagate flag. Test for key presence, not the value. */
export const PermissionsSchema = z.record(z.string(), z.record(z.string(), z.number()));
export type Permissions = z.infer<typeof PermissionsSchema>;

export const TicketSchema = z.object({
  username: z.string(),
  ticket: z.string().optional(),
  CSRFPreventionToken: z.string().optional(),
  clustername: z.string().optional(),
  NeedTFA: z.number().optional(),
});
export type Ticket = z.infer<typeof TicketSchema>;

/** `UPID:node:pid:pstart:starttime:type:id:user:` — PVE's own check. */
export const UPID_PATTERN = /^UPID:[A-Za-z0-9][A-Za-z0-9-]*:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\s]+:[^:\s]*:[^:\s]+:$/i;
export const UpidSchema = z.string().regex(UPID_PATTERN);
