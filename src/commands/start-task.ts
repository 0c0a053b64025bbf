import type { PveApi } from "../pve/types.js";
import type { GuestCommand, NodeCommand } from "./types.js";

/** What PVE answered to the write: a UPID, or nothing for node reboot/shutdown (no task). */
export type Started = { upid: string } | { upid: null };

export class VzdumpNotOnNodeError extends Error {
  constructor(readonly node: string) {
    super(`PVE started no backup: the guest is not on node ${node} (vzdump answered "OK")`);
    this.name = "VzdumpNotOnNodeError";
  }
}

/** Sends one guest command to `node`. Never retried here: a write goes out at most once. */
export async function startGuestCommand(api: PveApi, command: GuestCommand, node: string): Promise<Started> {
  const { kind, vmid } = command.guest;
  switch (command.action) {
    case "snapshot":
      return { upid: await api.snapshot(kind, node, vmid, command.params) };
    case "snapshot_delete":
      return { upid: await api.snapshotDelete(kind, node, vmid, command.params.snapname) };
    case "rollback": {
      const { snapname, ...params } = command.params;
      return { upid: await api.rollback(kind, node, vmid, snapname, params) };
    }
    case "backup": {
      const answer = await api.vzdump(node, { vmid: String(vmid), ...command.params });
      if (answer === "OK") throw new VzdumpNotOnNodeError(node);
      return { upid: answer };
    }
    default:
      return { upid: await api.guestPower(kind, node, vmid, command.action, command.params) };
  }
}

export async function startNodeCommand(api: PveApi, command: NodeCommand): Promise<Started> {
  switch (command.action) {
    case "reboot":
    case "shutdown":
      await api.nodePower(command.node, command.action);
      return { upid: null };
    case "startall":
      return { upid: await api.nodeBulk(command.node, "startall") };
    case "stopall":
      return { upid: await api.nodeBulk(command.node, "stopall", command.params) };
  }
}
