import { param, requireNode, SimResult, type SimCall } from "../context.js";
import { paramError, SimHttpError } from "../http-error.js";
import type { Route } from "../router.js";
import type { SimTask } from "../tasks.js";

const UPID_RE = /^UPID:([A-Za-z0-9][A-Za-z0-9-]*):[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:[^:\s]+:[^:\s]*:[^:\s]+:$/i;

function ownedBy(task: SimTask, call: SimCall): boolean {
  const identity = call.identity;
  if (!identity) return false;
  return task.user === identity.userid && (task.tokenid === undefined ? identity.tokenid === undefined : identity.tokenid === `${task.user}!${task.tokenid}`);
}

/**
 * GET /cluster/tasks: what each node broadcasts (its running tasks, then its newest finished ones up
 * to 25 in all), node after node. A running row has `pid` and no `endtime`/`status`; a finished one
 * has `endtime` and `status` (`OK`, `WARNINGS: n`, the error text). `saved` is a string, as PVE's
 * regex captured it. Without Sys.Audit on / a user sees only their own tasks.
 */
function clusterTasks(call: SimCall): unknown {
  const all = call.identity?.emptyAcl !== true;
  const rows: Record<string, unknown>[] = [];
  for (const node of call.ctx.model.nodes.keys()) {
    for (const task of call.ctx.tasks.recent(node)) {
      if (!all && !ownedBy(task, call)) continue;
      const row: Record<string, unknown> = { upid: task.upid, node: task.node, starttime: task.starttime, type: task.type, id: task.id, user: task.user };
      if (task.tokenid !== undefined) row.tokenid = task.tokenid;
      if (task.status === "running") {
        row.pid = task.pid;
        row.saved = "0";
      } else {
        row.saved = "1";
        row.endtime = task.endtime;
        row.status = task.exitstatus;
      }
      rows.push(row);
    }
  }
  return rows;
}

function nonNegativeInt(call: SimCall, name: string, fallback: number): number {
  const raw = call.args[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw paramError({ [name]: `type check ('integer') failed - got '${raw}'` });
  return Number(raw);
}

/**
 * GET /nodes/{node}/tasks/{upid}/log: lines `{n, t}` with n counted from 1, `start` lines skipped,
 * at most `limit` (default 50; 0 = to the end), and `total` beside `data`. PVE's traps: an empty
 * log is one line "no content"; a task of another node is one line "unable to open file - …".
 */
function taskLog(call: SimCall): unknown {
  const node = requireNode(call);
  const upid = param(call, "upid");
  const match = UPID_RE.exec(upid);
  if (!match) throw paramError({ upid: "unable to parse worker upid" });
  const start = nonNegativeInt(call, "start", 0);
  const limit = nonNegativeInt(call, "limit", 50);
  const task = match[1] === node.name ? call.ctx.tasks.get(upid) : undefined;
  if (task && call.identity?.emptyAcl && !ownedBy(task, call)) throw new SimHttpError(403, `Permission check failed (/nodes/${node.name}, Sys.Audit)`);
  if (!task) return new SimResult([{ n: 1, t: "unable to open file - No such file or directory" }], { total: 1 });
  if (task.log.length === 0) return new SimResult([{ n: 1, t: "no content" }], { total: 1 });
  const end = limit === 0 ? task.log.length : Math.min(task.log.length, start + limit);
  const lines = task.log.slice(start, end).map((t, index) => ({ n: start + index + 1, t }));
  return new SimResult(lines, { total: task.log.length });
}

export const taskRoutes: Route[] = [
  { method: "GET", path: "/cluster/tasks", handler: clusterTasks, anyUser: true, params: [] },
  { method: "GET", path: "/nodes/{node}/tasks/{upid}/log", handler: taskLog, proxied: true, anyUser: true, params: ["start", "limit", "download"] },
];
