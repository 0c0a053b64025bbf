import type { Config, Language } from "../../config/schema.js";
import { BRIDGE_VERSION } from "../../version.js";
import type { PanelColumn } from "./columns.js";

/** GET /api/meta: what the panel needs before its first message. */
export interface PanelMeta {
  version: string;
  base_topic: string;
  language: Language;
  texts: Record<string, string>;
  actions: {
    /** No command at all from this panel (commands.enabled false, or the read-only panel). */
    read_only: boolean;
    /** Why the panel itself refuses commands (exposed without a token), else null. */
    read_only_reason: string | null;
    enabled: boolean;
    allow: readonly string[];
    node_power: boolean;
    backup: { storage: string | null; mode: string; compress: string };
  };
  columns: readonly PanelColumn[];
}

export function buildMeta(options: {
  base: string;
  language: Language;
  texts: Record<string, string>;
  commands: Config["commands"];
  refusal: string | null;
  columns: readonly PanelColumn[];
}): PanelMeta {
  const { commands } = options;
  return {
    version: BRIDGE_VERSION,
    base_topic: options.base,
    language: options.language,
    texts: options.texts,
    actions: {
      read_only: options.refusal !== null || !commands.enabled,
      read_only_reason: options.refusal,
      enabled: commands.enabled,
      allow: commands.allow,
      node_power: commands.node_power,
      backup: { storage: commands.backup.storage ?? null, mode: commands.backup.mode, compress: commands.backup.compress },
    },
    columns: options.columns,
  };
}
