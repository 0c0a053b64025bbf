import { parseHost } from "../../src/config/schema.js";
import { CommandRunner, type CommandDeps } from "../../src/commands/runner.js";
import type { DeviceRef } from "../../src/commands/types.js";
import { silentLogger } from "../../src/log.js";
import { PveClient } from "../../src/pve/client.js";
import type { ResourceRow } from "../../src/pve/schemas.js";
import type { PveApi } from "../../src/pve/types.js";
import type { PveSimulator } from "../../src/sim/index.js";
import type { CommandResult } from "../../src/state/types.js";
import { testConfig } from "./config.js";

export function clientFor(sim: PveSimulator, extra: { timeoutMs?: number; urls?: string[] } = {}): PveClient {
  return new PveClient({
    hosts: (extra.urls ?? sim.urls).map((url) => parseHost(url, 8006)!),
    auth: { kind: "password", user: "pve2mqtt@pve", password: "secret-password" },
    verifyTls: true,
    fingerprints: [sim.fingerprint],
    timeoutMs: extra.timeoutMs ?? 5000,
    log: silentLogger(),
  });
}

export interface RefreshCall {
  device: DeviceRef;
  options: Parameters<CommandDeps["refresh"]>[1];
  status: string | null;
}

/** The status the GUI shows, as the poll derives it (PVE-API-NOTES 2.22), from status/current. */
function derivedStatus(status: { status: string; qmpstatus?: string; lock?: string }): string {
  if (status.qmpstatus && status.qmpstatus !== "running") return status.qmpstatus;
  if (status.status === "stopped" && status.lock === "suspended") return "hibernated";
  return status.status;
}

/**
 * A CommandRunner wired to the real client: the inventory is a snapshot of /cluster/resources
 * read through the client (as the poll would), results and refreshes are recorded.
 */
export class RunnerHarness {
  readonly results: Array<{ device: DeviceRef; result: CommandResult }> = [];
  readonly refreshes: RefreshCall[] = [];
  /** Results and refresh calls in the order they happened: "started", "ok", "error", "refresh". */
  readonly events: string[] = [];
  readonly runner: CommandRunner;
  private rows: ResourceRow[] = [];

  constructor(
    readonly api: PveApi,
    commands: Record<string, unknown> = {},
  ) {
    this.runner = new CommandRunner(this.deps(testConfig(commands)));
  }

  /** Reads /cluster/resources (through `source`, by default the runner's API) into the inventory `locate` answers from. */
  async poll(source: PveApi = this.api): Promise<void> {
    this.rows = (await source.clusterResources()).rows;
  }

  resultsFor(device: DeviceRef): CommandResult[] {
    return this.results.filter((entry) => JSON.stringify(entry.device) === JSON.stringify(device)).map((entry) => entry.result);
  }

  /** Waits until `predicate` holds for the results (polling the recorded array). */
  async waitFor(predicate: (results: CommandResult[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.results.map((entry) => entry.result))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting; results so far: ${JSON.stringify(this.results)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private find(device: DeviceRef): ResourceRow | undefined {
    return this.rows.find((row) => {
      switch (device.kind) {
        case "qemu":
        case "lxc":
          return row.type === device.kind && row.vmid === device.vmid;
        case "node":
          return row.type === "node" && row.node === device.node;
        case "storage":
          return row.type === "storage" && row.node === device.node && row.storage === device.storage;
        case "bridge":
          return false;
      }
    });
  }

  private deps(config: ReturnType<typeof testConfig>): CommandDeps {
    return {
      api: this.api,
      config,
      log: silentLogger(),
      locate: (device) => {
        const row = this.find(device);
        return row ? { node: row.node } : null;
      },
      relocate: async (device) => {
        await this.poll();
        const row = this.find(device);
        return row ? { node: row.node } : null;
      },
      backupStorages: (node) =>
        this.rows.flatMap((row) => (row.type === "storage" && row.node === node && (row.content ?? "").split(",").includes("backup") ? [row.storage] : [])),
      refresh: async (device, options) => {
        const call: RefreshCall = { device, options, status: null };
        this.refreshes.push(call);
        this.events.push("refresh");
        if (device.kind === "qemu" || device.kind === "lxc") {
          const node = this.find(device)?.node;
          if (node) call.status = derivedStatus(await this.api.guestStatus(device.kind, node, device.vmid));
        }
        return call.status;
      },
      publishResult: (device, result) => {
        this.results.push({ device, result });
        this.events.push(result.status);
      },
    };
  }
}
