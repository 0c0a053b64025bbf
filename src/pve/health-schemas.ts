import { z } from "zod";

/*
 * zod schemas of the health endpoints (CONTRACT §8, §9). As in schemas.ts: only what identifies a
 * row is required, everything else optional, unknown keys stripped; lists are validated row by row.
 */

const optNum = z.number().optional();
const optStr = z.string().optional();
/** A number PVE may send as a string. */
const numeric = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

/**
 * A row of GET /cluster/tasks. Running: `pid`, no `endtime`/`status`. Ended: `endtime` and `status`
 * (`OK`, `WARNINGS: n`, or the error text). `id` is empty for tasks of no guest (multi-guest vzdump, aptupdate…).
 */
export const ClusterTaskRowSchema = z.object({
  upid: z.string(),
  node: z.string(),
  type: z.string(),
  id: z.string().optional(),
  user: optStr,
  tokenid: optStr,
  starttime: z.number(),
  endtime: optNum,
  status: optStr,
  pid: optNum,
});
export type ClusterTaskRow = z.infer<typeof ClusterTaskRowSchema>;

/** A line of GET /nodes/{n}/tasks/{upid}/log: `n` counts from 1. */
export const TaskLogLineSchema = z.object({ n: z.number().int(), t: z.string() });
export type TaskLogLine = z.infer<typeof TaskLogLineSchema>;

/** A row of GET /nodes/{n}/disks/list (a partition has `parent` and type "partition"). */
export const DiskRowSchema = z.object({
  devpath: z.string(),
  type: optStr,
  size: numeric.optional(),
  model: optStr,
  serial: optStr,
  vendor: optStr,
  wwn: optStr,
  health: optStr,
  /** Percent of life left, or "N/A". */
  wearout: z.union([z.number(), z.string()]).optional(),
  rpm: optNum,
  used: optStr,
  parent: optStr,
});
export type DiskRow = z.infer<typeof DiskRowSchema>;

/** An ATA attribute of the SMART answer; `id` is the 3-character column ("  9", "194"). */
export const SmartAttributeSchema = z.object({
  id: z.union([z.string(), z.number()]),
  name: z.string(),
  raw: z.union([z.string(), z.number()]).optional(),
  value: optNum,
  normalized: optNum,
  worst: optNum,
  threshold: optNum,
  fail: optStr,
  flags: optStr,
});
export type SmartAttribute = z.infer<typeof SmartAttributeSchema>;

/** GET /nodes/{n}/disks/smart: the attributes are validated row by row by the client. */
export const SmartAnswerSchema = z.object({
  health: optStr,
  /** "ata" (attributes) or "text" (NVMe, SAS); absent when smartctl failed. */
  type: optStr,
  attributes: z.array(z.unknown()).optional(),
  text: optStr,
  wearout: optNum,
});

export interface DiskSmart {
  health?: string | undefined;
  type?: string | undefined;
  attributes: SmartAttribute[];
  text?: string | undefined;
  wearout?: number | undefined;
}

/** A row of GET /nodes/{n}/disks/zfs (`zpool list -Hp`: bytes, frag %, dedup ratio). */
export const ZfsPoolRowSchema = z.object({
  name: z.string(),
  size: numeric.optional(),
  alloc: numeric.optional(),
  free: numeric.optional(),
  frag: numeric.optional(),
  dedup: numeric.optional(),
  health: optStr,
});
export type ZfsPoolRow = z.infer<typeof ZfsPoolRowSchema>;

/** A row of GET /nodes/{n}/apt/update. */
export const AptUpdateRowSchema = z.object({
  Package: z.string(),
  Version: optStr,
  OldVersion: optStr,
  Origin: optStr,
  Title: optStr,
  Priority: optStr,
  Section: optStr,
  Arch: optStr,
});
export type AptUpdateRow = z.infer<typeof AptUpdateRowSchema>;

/** A row of GET /cluster/ha/status/current: quorum, master, lrm, service, and on PVE 9 fencing (with `armed-state`). */
export const HaStatusRowSchema = z.object({
  id: z.string(),
  type: z.string(),
  node: optStr,
  status: optStr,
  quorate: z.union([z.literal([0, 1]), z.boolean()]).optional(),
  timestamp: optNum,
  "armed-state": optStr,
  sid: optStr,
  state: optStr,
  crm_state: optStr,
  request_state: optStr,
});
export type HaStatusRow = z.infer<typeof HaStatusRowSchema>;

/** GET /cluster/ceph/status: `ceph status` as JSON; only the health matters here. */
export const CephStatusSchema = z.object({
  health: z.object({ status: z.string() }),
  fsid: optStr,
});
export type CephStatus = z.infer<typeof CephStatusSchema>;
