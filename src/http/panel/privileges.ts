import type { FeatureCheck } from "../../pve/privileges.js";

/** What the Health view shows of the account's privileges: each feature, and the line that grants what is missing. */
export interface PrivilegeReport {
  features: FeatureCheck[] | null;
  fix: string | null;
}

const PRIVILEGE = /[A-Z][A-Za-z]*\.[A-Za-z.]*[A-Za-z]/g;

/**
 * The `pveum` line that adds every missing privilege to the PVE2MQTT role the README creates. A
 * requirement with alternatives per PVE version ("VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)")
 * takes the one of the running major version (PVE 8 rejects a privilege it does not know).
 */
export function privilegeFix(features: FeatureCheck[], pveVersion: string | null): string | null {
  const major = pveVersion ? Number.parseInt(pveVersion, 10) : NaN;
  const privileges = new Set<string>();
  for (const feature of features) {
    for (const label of feature.missing) {
      const alternatives = label.split(/\s+or\s+/);
      const forVersion = alternatives.find((text) => Number.isFinite(major) && text.includes(`(PVE ${major})`));
      const chosen = forVersion ?? (alternatives.length > 1 && Number.isFinite(major) && major >= 9 ? alternatives.at(-1)! : alternatives[0]!);
      for (const name of chosen.match(PRIVILEGE) ?? []) privileges.add(name);
    }
  }
  if (privileges.size === 0) return null;
  return `pveum role modify PVE2MQTT --append 1 --privs "${[...privileges].join(" ")}"`;
}
