import type { Meta, State, Texts } from "./types.js";

export type TargetKind = "guest" | "node";

/** What an action asks before it is sent. */
export type Ask = "nothing" | "confirm" | "snapshot" | "backup" | "snapshot-name";

const GUEST_ORDER = ["start", "resume", "shutdown", "reboot", "stop", "suspend", "snapshot", "backup", "snapshot_delete", "rollback"];
const NODE_ACTIONS = ["reboot", "shutdown", "startall", "stopall"];
const CONFIRMED = new Set(["stop", "shutdown", "reboot", "startall", "stopall", "snapshot_delete", "rollback"]);
const NEEDS_RUNNING = new Set(["shutdown", "reboot", "stop", "suspend"]);

/** The actions the bridge allows on this device in its current status; empty on a read-only panel. */
export function actionsFor(kind: TargetKind, state: State | undefined, meta: Meta): string[] {
  if (meta.actions.read_only) return [];
  if (kind === "node") return [...(meta.actions.node_power ? NODE_ACTIONS : []), "refresh"];
  const status = state?.status;
  const allowed = GUEST_ORDER.filter((action) => meta.actions.allow.includes(action)).filter((action) => {
    if (action === "start") return status !== "running" && status !== "paused" && status !== "suspended";
    if (action === "resume") return status === "paused" || status === "suspended";
    if (NEEDS_RUNNING.has(action)) return status !== "stopped" && status !== "hibernated";
    return true;
  });
  return [...allowed, "refresh"];
}

export function askFor(kind: TargetKind, action: string): Ask {
  if (action === "snapshot") return "snapshot";
  if (action === "backup") return "backup";
  if (action === "snapshot_delete" || action === "rollback") return "snapshot-name";
  return kind === "node" && action !== "refresh" ? "confirm" : CONFIRMED.has(action) ? "confirm" : "nothing";
}

export function actionLabel(kind: TargetKind, action: string, t: Texts): string {
  if (action === "refresh" || action === "snapshot_delete" || action === "rollback") return t(`panel.${action}`);
  return t(`${kind}.${action}`);
}
