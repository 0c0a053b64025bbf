import type { GuestKind } from "../pve/types.js";

/** The device a `/set` topic belongs to. */
export type DeviceRef =
  | { kind: "qemu" | "lxc"; vmid: number }
  | { kind: "node"; node: string }
  | { kind: "storage"; node: string; storage: string }
  | { kind: "bridge" };

export type GuestRef = { kind: GuestKind; vmid: number };

export const POWER_ACTIONS = ["start", "stop", "shutdown", "reboot", "suspend", "resume"] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

type Flag = 0 | 1;

/** Form fields of `POST /nodes/{node}/vzdump`, without `vmid` (the runner adds it). */
export interface BackupParams {
  storage?: string;
  mode: "snapshot" | "suspend" | "stop";
  compress: "0" | "1" | "gzip" | "lzo" | "zstd";
  mailto?: string;
  mailnotification?: "always" | "failure";
  remove?: Flag;
  "notes-template"?: string;
  protected?: Flag;
}

/**
 * A validated command. `params` are already PVE's form fields (names and 0/1 flags), so the runner
 * sends them as they are.
 */
export type GuestCommand = { target: "guest"; guest: GuestRef } & (
  | { action: "start" | "stop" | "resume"; params: Record<string, never> }
  | { action: "shutdown"; params: { timeout?: number; forceStop?: Flag } }
  | { action: "reboot"; params: { timeout?: number } }
  | { action: "suspend"; params: { todisk?: Flag } }
  | { action: "snapshot"; params: { snapname: string; description?: string; vmstate?: Flag } }
  | { action: "backup"; params: BackupParams }
  | { action: "snapshot_delete"; params: { snapname: string } }
  | { action: "rollback"; params: { snapname: string; start?: Flag } }
);

/** Actions that name an existing snapshot: the runner checks it exists before the write. */
export const SNAPSHOT_NAMING_ACTIONS = ["snapshot_delete", "rollback"] as const;

export type NodeCommand = { target: "node"; node: string } & (
  | { action: "reboot" | "shutdown"; params: Record<string, never> }
  | { action: "startall"; params: Record<string, never> }
  | { action: "stopall"; params: { timeout?: number } }
);

export type RefreshCommand = { target: "refresh"; device: DeviceRef; action: "refresh"; params: Record<string, never> };

export type Command = GuestCommand | NodeCommand | RefreshCommand;

export type ParseResult =
  | { ok: true; command: Command; id: string | number | null }
  | { ok: false; error: string; id: string | number | null; action: string | null };

export interface ParseContext {
  /** Storage ids PVE reports with backup content on that node. */
  backupStorages: (node: string) => string[];
  now: () => Date;
  /**
   * The guest's current node, needed to check a backup storage. When it is unknown (the guest is
   * not in the inventory) a backup naming a storage is refused.
   */
  node?: string | null;
}

export function deviceLabel(device: DeviceRef): string {
  switch (device.kind) {
    case "qemu":
    case "lxc":
      return `${device.kind}/${device.vmid}`;
    case "node":
      return `node/${device.node}`;
    case "storage":
      return `storage/${device.node}/${device.storage}`;
    case "bridge":
      return "bridge";
  }
}
