import {
  AptUpdateRowSchema,
  CephStatusSchema,
  ClusterTaskRowSchema,
  DiskRowSchema,
  HaStatusRowSchema,
  SmartAnswerSchema,
  SmartAttributeSchema,
  TaskLogLineSchema,
  ZfsPoolRowSchema,
  type AptUpdateRow,
  type CephStatus,
  type ClusterTaskRow,
  type DiskRow,
  type DiskSmart,
  type HaStatusRow,
  type TaskLogLine,
  type ZfsPoolRow,
} from "./health-schemas.js";
import type { RowValidator } from "./rows.js";
import { parseUpid } from "./tasks.js";
import type { FormParams, Rows } from "./types.js";

/** A task log read: the lines from `start` on, and how many lines the log has in all (`total`, when PVE says). */
export interface TaskLog {
  lines: TaskLogLine[];
  total: number | null;
  skipped: number;
}

/**
 * The health reads of CONTRACT §8 and §9. Every method throws a `PveError`; a 403 is a
 * `PveForbiddenError` (the account lacks the privilege: say "not allowed", keep the values null).
 */
export interface PveHealthApi {
  /** GET /cluster/tasks: running and recent tasks of every node (running + newest ended, 25 a node). */
  clusterTasks(): Promise<Rows<ClusterTaskRow>>;
  /**
   * GET /nodes/{node}/tasks/{upid}/log from line `start` (the number of lines already read) to the
   * end. PVE answers an empty log as one line "no content", and a log it cannot open as one line
   * "unable to open file - …" (both n = 1): see `isPlaceholderLine`.
   */
  taskLog(node: string, upid: string, start?: number): Promise<TaskLog>;
  /** GET /nodes/{node}/disks/list (Sys.Audit): whole disks (partitions only if PVE sends them). */
  diskList(node: string): Promise<Rows<DiskRow>>;
  /** GET /nodes/{node}/disks/smart?disk=… (Sys.Audit); malformed attributes are skipped and logged. */
  diskSmart(node: string, devpath: string): Promise<DiskSmart>;
  /** GET /nodes/{node}/disks/zfs (Sys.Audit). */
  zfsPools(node: string): Promise<Rows<ZfsPoolRow>>;
  /** GET /nodes/{node}/apt/update (Sys.Modify on /nodes/{node}; PVEAuditor lacks it: 403). */
  aptUpdates(node: string): Promise<Rows<AptUpdateRow>>;
  /** GET /cluster/ha/status/current (Sys.Audit on /). */
  haStatus(): Promise<Rows<HaStatusRow>>;
  /** GET /cluster/ceph/status: a 500 ("binary not installed: …") where this cluster does not run Ceph itself. */
  cephStatus(): Promise<CephStatus>;
}

/** Placeholder lines PVE sends instead of a log: not lines of the task. */
export function isPlaceholderLine(line: TaskLogLine): boolean {
  return line.n === 1 && (line.t === "no content" || line.t.startsWith("unable to open file - "));
}

export type EnvelopeGetter = (path: string, query?: FormParams) => Promise<{ data: unknown } & Record<string, unknown>>;

/** A path segment from a node name, vmid, storage or UPID. */
export const seg = (value: string | number): string => encodeURIComponent(String(value));

/** The health reads over the client's session, failover and row validation. */
export class HealthReads implements PveHealthApi {
  constructor(
    private readonly get: EnvelopeGetter,
    private readonly validate: RowValidator,
  ) {}

  async clusterTasks(): Promise<Rows<ClusterTaskRow>> {
    const path = "/cluster/tasks";
    return this.validate.rows(ClusterTaskRowSchema, (await this.get(path)).data, path, path);
  }

  async taskLog(node: string, upid: string, start = 0): Promise<TaskLog> {
    parseUpid(upid);
    const path = `/nodes/${seg(node)}/tasks/${seg(upid)}/log`;
    // limit 0 = to the end (PVE's default is 50 lines).
    const answer = await this.get(path, { start, limit: 0 });
    const { rows, skipped } = this.validate.rows(TaskLogLineSchema, answer.data, path, "/nodes/{node}/tasks/{upid}/log");
    return { lines: rows, total: typeof answer.total === "number" ? answer.total : null, skipped };
  }

  async diskList(node: string): Promise<Rows<DiskRow>> {
    const path = `/nodes/${seg(node)}/disks/list`;
    return this.validate.rows(DiskRowSchema, (await this.get(path)).data, path, "/nodes/{node}/disks/list");
  }

  async diskSmart(node: string, devpath: string): Promise<DiskSmart> {
    const path = `/nodes/${seg(node)}/disks/smart`;
    const answer = this.validate.one(SmartAnswerSchema, (await this.get(path, { disk: devpath })).data, path);
    const attributes = this.validate.rows(SmartAttributeSchema, answer.attributes ?? [], path, "/nodes/{node}/disks/smart attributes").rows;
    return { health: answer.health, type: answer.type, attributes, text: answer.text, wearout: answer.wearout };
  }

  async zfsPools(node: string): Promise<Rows<ZfsPoolRow>> {
    const path = `/nodes/${seg(node)}/disks/zfs`;
    return this.validate.rows(ZfsPoolRowSchema, (await this.get(path)).data, path, "/nodes/{node}/disks/zfs");
  }

  async aptUpdates(node: string): Promise<Rows<AptUpdateRow>> {
    const path = `/nodes/${seg(node)}/apt/update`;
    return this.validate.rows(AptUpdateRowSchema, (await this.get(path)).data, path, "/nodes/{node}/apt/update");
  }

  async haStatus(): Promise<Rows<HaStatusRow>> {
    const path = "/cluster/ha/status/current";
    return this.validate.rows(HaStatusRowSchema, (await this.get(path)).data, path, path);
  }

  async cephStatus(): Promise<CephStatus> {
    const path = "/cluster/ceph/status";
    return this.validate.one(CephStatusSchema, (await this.get(path)).data, path);
  }
}
