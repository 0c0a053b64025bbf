/*
 * The reads of one guest's details (config, IPs, snapshots), each keeping the last value on failure
 * (logged once): the per-guest half of the details collector (details.ts).
 */
import type { GuestConfig } from "../pve/schemas.js";
import type { PveApi } from "../pve/types.js";
import { AgentOs } from "./agent-os.js";
import { justStarted } from "./detail-plan.js";
import { summarizeSnapshots, type SnapshotSummary } from "./detail-rows.js";
import { agentEnabled, ipsFromAgent, ipsFromLxc, ipsFromLxcConfig, type GuestIps } from "./ips.js";
import { osFromConfig } from "./os.js";
import type { ProblemLog } from "./problems.js";
import { guestKey, type GuestDetails, type GuestInfo } from "./types.js";

/** A guest whose agent (or CT interfaces endpoint) did not answer is not asked again for this many cycles. */
const SILENT_CYCLES = 30;
export const NO_IPS: GuestIps = Object.freeze({ ipv4: [], ipv6: [] });
/** A guest whose agent has not answered in its first minutes is asked again every few polls. */
const AGENT_RETRY_CYCLES = 3;

/** The parts of a guest's config the details need. */
export interface ConfigFacts {
  agent: boolean;
  staticIps: GuestIps;
  os: string | null;
}

/** What the details collector knows of one guest; its own bookkeeping, never handed out. */
export interface GuestMemory {
  running: boolean;
  uptime: number | null;
  /** Read once per run of the guest (the agent flag may change with a restart). */
  config?: ConfigFacts;
  /** Whether a guest that was not running when first seen had its config read (for its `os`). */
  configAsked?: boolean;
  /** Cycle before which the agent / lxc interfaces endpoint is not asked again. */
  silentUntil: number;
  /** undefined until first read. */
  ips?: GuestIps;
  /** qemu: what its agent said of its OS (agent-os.ts); undefined until the agent first answers. */
  agentOs?: AgentOs;
  snapshots?: SnapshotSummary;
  /** The details last handed out (immutable), reused while the values are the same. */
  details?: GuestDetails;
}

export class GuestReads {
  constructor(private readonly problems: ProblemLog) {}

  /** Its IPs: a VM's from its agent (when its config enables one), a container's from its interfaces, else its config's static ones. */
  async ips(api: PveApi, guest: GuestInfo, memory: GuestMemory, cycle: number): Promise<void> {
    const key = guestKey(guest.kind, guest.vmid);
    if (guest.kind === "qemu") {
      const config = await this.config(api, guest, memory);
      if (config === undefined) return;
      if (!config.agent) {
        memory.ips = NO_IPS;
        delete memory.agentOs;
        return;
      }
      if (memory.silentUntil > cycle) return;
      try {
        memory.ips = ipsFromAgent((await api.agentInterfaces(guest.node, guest.vmid)).rows);
        (memory.agentOs ??= new AgentOs()).agentAnswered();
        this.problems.succeeded(`${key}:agent`, `The guest agent of ${key} answers again`);
      } catch (error) {
        memory.silentUntil = cycle + (justStarted(guest) ? AGENT_RETRY_CYCLES : SILENT_CYCLES);
        memory.ips ??= NO_IPS;
        this.problems.failed(`${key}:agent`, `The guest agent of ${key} does not answer; its IPs stay as last known and it is asked again in ${SILENT_CYCLES} cycles`, error);
      }
      return;
    }
    if (memory.silentUntil <= cycle) {
      try {
        memory.ips = ipsFromLxc((await api.lxcInterfaces(guest.node, guest.vmid)).rows);
        this.problems.succeeded(`${key}:interfaces`, `The interfaces of ${key} can be read again`);
        if (!memory.config) await this.config(api, guest, memory);
        return;
      } catch (error) {
        memory.silentUntil = cycle + SILENT_CYCLES;
        this.problems.failed(`${key}:interfaces`, `Cannot read the interfaces of ${key}; using the static ip= of its config instead`, error);
      }
    }
    const config = await this.config(api, guest, memory);
    if (config !== undefined) memory.ips = config.staticIps;
  }

  async config(api: PveApi, guest: GuestInfo, memory: GuestMemory): Promise<ConfigFacts | undefined> {
    if (memory.config) return memory.config;
    const key = guestKey(guest.kind, guest.vmid);
    try {
      memory.config = configFacts(guest.kind, await api.guestConfig(guest.kind, guest.node, guest.vmid));
      this.problems.succeeded(`${key}:config`, `The config of ${key} can be read again`);
      return memory.config;
    } catch (error) {
      this.problems.failed(`${key}:config`, `Cannot read the config of ${key} (needs VM.Audit); its IPs stay as last known`, error);
      return undefined;
    }
  }

  async snapshots(api: PveApi, guest: GuestInfo, memory: GuestMemory): Promise<void> {
    const key = guestKey(guest.kind, guest.vmid);
    try {
      memory.snapshots = summarizeSnapshots((await api.snapshots(guest.kind, guest.node, guest.vmid)).rows);
      this.problems.succeeded(`${key}:snapshots`, `The snapshots of ${key} can be read again`);
    } catch (error) {
      this.problems.failed(`${key}:snapshots`, `Cannot list the snapshots of ${key}; keeping the last known count`, error);
    }
  }
}

function configFacts(kind: GuestInfo["kind"], config: GuestConfig): ConfigFacts {
  const os = osFromConfig(config);
  return kind === "qemu" ? { agent: agentEnabled(config), staticIps: NO_IPS, os } : { agent: false, staticIps: ipsFromLxcConfig(config), os };
}
