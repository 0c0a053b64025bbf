import type { Permissions } from "./schemas.js";

export interface FeatureCheck {
  feature: string;
  ok: boolean;
  /** What is missing, e.g. "Sys.Audit on /" or "VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)". */
  missing: string[];
}

/** One privilege requirement: any of `privileges` on `path` (or on any path when absent). */
interface Need {
  privileges: string[];
  path?: string;
  label: string;
}

const need = (privilege: string, path?: string): Need => ({
  privileges: [privilege],
  ...(path ? { path } : {}),
  label: path ? `${privilege} on ${path}` : privilege,
});

/** What each pve2mqtt feature needs (PVE-API-NOTES 2.23; PVE 9 renamed VM.Monitor). */
export const FEATURES: { feature: string; needs: Need[] }[] = [
  { feature: "read inventory", needs: [need("Sys.Audit", "/"), need("VM.Audit"), need("Datastore.Audit")] },
  {
    feature: "guest IPs",
    needs: [{ privileges: ["VM.Monitor", "VM.GuestAgent.Audit"], label: "VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)" }],
  },
  { feature: "power", needs: [need("VM.PowerMgmt")] },
  { feature: "snapshots", needs: [need("VM.Snapshot")] },
  { feature: "backups", needs: [need("VM.Backup"), need("Datastore.AllocateSpace")] },
  { feature: "node power", needs: [need("Sys.PowerMgmt")] },
  { feature: "disks and ZFS pools", needs: [{ privileges: ["Sys.Audit"], label: "Sys.Audit on /nodes/<node>" }] },
  { feature: "pending updates", needs: [{ privileges: ["Sys.Modify"], label: "Sys.Modify on /nodes/<node>" }] },
];

/** Which features the permissions of `/access/permissions` allow. The values are propagate flags: presence is what counts. */
export function describeFeatures(perms: Permissions): FeatureCheck[] {
  return FEATURES.map(({ feature, needs }) => {
    const missing = needs.filter((requirement) => !granted(perms, requirement)).map((requirement) => requirement.label);
    return { feature, ok: missing.length === 0, missing };
  });
}

function granted(perms: Permissions, requirement: Need): boolean {
  const paths = requirement.path ? [requirement.path] : Object.keys(perms);
  return paths.some((path) => {
    const privileges = perms[path];
    return privileges !== undefined && requirement.privileges.some((privilege) => Object.hasOwn(privileges, privilege));
  });
}
