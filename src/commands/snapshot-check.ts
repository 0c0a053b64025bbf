import type { PveApi } from "../pve/types.js";
import { describeFailure, isNotOnThisNode } from "./outcome.js";
import { quote } from "./payload.js";
import type { GuestRef } from "./types.js";

const LISTED_NAMES = 10;

export type SnapshotCheck = { ok: true; node: string } | { ok: false; error: string };

/**
 * Whether the snapshot a `snapshot_delete` or `rollback` names exists on the guest: one read of its
 * snapshot list, at the guest's node (re-located once if it has migrated). A refusal is the
 * command's error and no write is made.
 */
export async function checkSnapshotExists(
  api: PveApi,
  guest: GuestRef,
  name: string,
  node: string,
  relocate: () => Promise<{ node: string } | null>,
): Promise<SnapshotCheck> {
  const label = `${guest.kind}/${guest.vmid}`;
  let at = node;
  let names: string[];
  try {
    names = await readNames(api, guest, at);
  } catch (error) {
    if (!isNotOnThisNode(error)) return unreadable(label, name, error);
    const moved = await relocate();
    if (!moved) return { ok: false, error: `${label} no longer exists in PVE` };
    at = moved.node;
    try {
      names = await readNames(api, guest, at);
    } catch (again) {
      return unreadable(label, name, again);
    }
  }
  if (names.includes(name)) return { ok: true, node: at };
  const listed = names.length === 0 ? "it has none" : `its snapshots: ${names.slice(0, LISTED_NAMES).join(", ")}${names.length > LISTED_NAMES ? ", …" : ""}`;
  return { ok: false, error: `snapshot ${quote(name)} does not exist on ${label} (${listed})` };
}

async function readNames(api: PveApi, guest: GuestRef, node: string): Promise<string[]> {
  return (await api.snapshots(guest.kind, node, guest.vmid)).rows.map((row) => row.name);
}

function unreadable(label: string, name: string, error: unknown): SnapshotCheck {
  return { ok: false, error: `cannot check that snapshot ${quote(name)} exists on ${label} (nothing was sent): ${describeFailure(error)}` };
}
