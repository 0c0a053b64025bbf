import { SimAuth } from "./auth.js";
import { simCertificate } from "./certificate.js";
import type { SimContext } from "./context.js";
import { FaultSet } from "./faults.js";
import { defaultGuests, defaultStorages, generatedGuests, nodeNames } from "./generate.js";
import { HostServer } from "./hosts.js";
import { ClusterModel, isRunning, specStatus } from "./model.js";
import { compileRoutes } from "./router.js";
import { accessRoutes } from "./routes/access.js";
import { backupRoutes } from "./routes/backup.js";
import { clusterRoutes } from "./routes/cluster.js";
import { guestAgentRoutes } from "./routes/guest-agent.js";
import { guestReadRoutes } from "./routes/guest-read.js";
import { nodeRoutes } from "./routes/node.js";
import { powerRoutes } from "./routes/power.js";
import { snapshotRoutes } from "./routes/snapshot.js";
import { clusterHealthRoutes } from "./routes/cluster-health.js";
import { diskRoutes } from "./routes/disks.js";
import { taskRoutes } from "./routes/tasks.js";
import { SimHealth } from "./health.js";
import { runBackupJob } from "./vzdump-job.js";
import { RequestPipeline } from "./server.js";
import { TaskRunner } from "./tasks.js";
import { TimerSet } from "./timers.js";
import type { SimFault, SimGuestSpec, SimGuestSummary, SimGuestView, SimOptions, SimRequest } from "./types.js";

const DEFAULT_USERS = { "root@pam": "rootpass", "pve2mqtt@pve": "secret-password" };
const REPOID = "faa83925c9641325";
const ROUTES = compileRoutes([
  ...accessRoutes, ...clusterRoutes, ...nodeRoutes, ...guestReadRoutes, ...guestAgentRoutes, ...powerRoutes, ...snapshotRoutes, ...backupRoutes,
  ...taskRoutes, ...diskRoutes, ...clusterHealthRoutes,
]);

/** A Proxmox VE 8.2 API on loopback HTTPS, with its traps, for tests, the demo and the benchmark. */
export class PveSimulator {
  readonly requests: SimRequest[] = [];
  readonly users: Record<string, string>;
  /** Disks, ZFS pools, apt updates, HA arming and Ceph of the simulated cluster, and the handles to vary them. */
  readonly health: SimHealth;
  private readonly model: ClusterModel;
  private readonly timers = new TimerSet();
  private readonly faults = new FaultSet();
  private readonly ctx: SimContext;
  private hosts: HostServer[] = [];
  private stopped = false;

  private constructor(
    options: SimOptions,
    readonly certPem: string,
    readonly fingerprint: string,
  ) {
    const now = options.now ?? Date.now;
    const seed = options.seed ?? 1;
    this.users = { ...(options.users ?? DEFAULT_USERS) };
    this.model = new ClusterModel({ now, statsLagMs: options.statsLagMs ?? 0, seed });
    const nodes = nodeNames(options.nodes);
    nodes.forEach((name, index) => this.model.addNode(name, index));
    for (const storage of options.storages ?? defaultStorages()) this.model.addStorage(storage);
    const guests = typeof options.guests === "number" ? generatedGuests(nodes, options.guests, seed) : (options.guests ?? defaultGuests(nodes));
    for (const guest of guests) this.model.addGuest(guest);
    const auth = new SimAuth({
      users: this.users,
      tfaUsers: options.tfaUsers ?? [],
      tokens: options.tokens ?? {},
      ticketLifetimeSec: options.ticketLifetimeSec ?? 7200,
      now,
    });
    this.health = new SimHealth(nodes, options.version ?? "8.2.4");
    this.ctx = {
      model: this.model,
      tasks: new TaskRunner(now, this.timers),
      health: this.health,
      auth,
      timers: this.timers,
      settings: {
        clusterName: options.clusterName === undefined ? "homelab" : options.clusterName,
        version: options.version ?? "8.2.4",
        repoid: REPOID,
        taskDurationMs: options.taskDurationMs ?? 1500,
        haDelayMs: options.haDelayMs ?? 3000,
        fingerprint,
      },
      counters: { logins: 0, renewals: 0 },
      hostNode: (host) => nodes[host % nodes.length]!,
    };
    if (options.animate) this.timers.every(10_000, () => this.model.tick(10_000));
  }

  static async start(options: SimOptions = {}): Promise<PveSimulator> {
    const certificate = options.certificate ?? (await simCertificate());
    const sim = new PveSimulator(options, certificate.certPem, certificate.fingerprint);
    const pipeline = new RequestPipeline({
      authFailureDelayMs: options.authFailureDelayMs ?? 3000,
      requests: sim.requests,
      faults: sim.faults,
      routes: ROUTES,
      ctx: sim.ctx,
    });
    const count = options.hosts ?? 1;
    for (let i = 0; i < count; i++) {
      const port = options.port ? options.port + i : 0;
      sim.hosts.push(new HostServer(i, { key: certificate.keyPem, cert: certificate.certPem }, (host, req, res) => pipeline.handle(host, req, res), port));
    }
    try {
      await Promise.all(sim.hosts.map((host) => host.listen()));
    } catch (error) {
      await sim.stop();
      throw error;
    }
    return sim;
  }

  get urls(): string[] {
    return this.hosts.map((host) => host.url);
  }

  /** How far a task has got: its log lines so far and whether it ended (tests wait on it). */
  taskProgress(upid: string): { lines: number; ended: boolean } | undefined {
    const task = this.ctx.tasks.get(upid);
    return task && { lines: task.log.length, ended: task.endtime !== undefined };
  }

  get loginCount(): number {
    return this.ctx.counters.logins;
  }

  get renewCount(): number {
    return this.ctx.counters.renewals;
  }

  /** TLS connections accepted by all hosts since start. */
  get tlsConnections(): number {
    return this.hosts.reduce((sum, host) => sum + host.tlsConnections, 0);
  }

  /** Closes every idle connection, as PVE's proxy does ~5 s after a connection's last request. */
  closeIdleConnections(): void {
    for (const host of this.hosts) host.closeIdle();
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  addGuest(spec: SimGuestSpec): void {
    this.model.addGuest(spec);
  }

  removeGuest(vmid: number): void {
    this.model.guests.delete(vmid);
  }

  updateGuest(vmid: number, patch: Partial<SimGuestSpec>): void {
    const guest = this.requireGuest(vmid);
    if (patch.kind !== undefined && patch.kind !== guest.kind) throw new Error("A guest's kind cannot change; remove it and add a new one.");
    if (patch.vmid !== undefined && patch.vmid !== vmid) throw new Error("A guest's vmid cannot change; remove it and add a new one.");
    if ("name" in patch) guest.name = patch.name;
    if (patch.template !== undefined) guest.template = patch.template;
    if (patch.agent !== undefined) {
      guest.agent = guest.kind === "qemu" && patch.agent;
      if (patch.agentRunning === undefined) guest.agentRunning = patch.agent;
    }
    if (patch.agentRunning !== undefined) guest.agentRunning = patch.agentRunning;
    if (patch.ostype !== undefined) guest.ostype = patch.ostype;
    if (patch.osInfo !== undefined) guest.osInfo = { ...patch.osInfo };
    if (patch.ha !== undefined) {
      guest.ha = patch.ha;
      this.model.setHaState(guest, patch.ha ? (guest.runState === "stopped" ? "stopped" : "started") : undefined);
    }
    if (patch.tags !== undefined) guest.tags = [...patch.tags];
    if (patch.cores !== undefined) guest.cores = patch.cores;
    if (patch.memory !== undefined) guest.memory = patch.memory;
    if (patch.disk !== undefined) guest.disk = patch.disk;
    if (patch.ipv4 !== undefined) guest.ipv4 = [...patch.ipv4];
    if (patch.ipv6 !== undefined) guest.ipv6 = [...patch.ipv6];
    if (patch.snapshotFeature !== undefined) guest.snapshotFeature = patch.snapshotFeature;
    if (patch.warnings !== undefined) guest.warnings = patch.warnings;
    if ("backupError" in patch) {
      if (patch.backupError === undefined) delete guest.backupError;
      else guest.backupError = patch.backupError;
    }
    if (patch.node !== undefined && patch.node !== guest.node) this.model.moveGuest(guest, patch.node);
    if (patch.status !== undefined) this.model.applyStatus(guest, patch.status, "lock" in patch ? patch.lock : guest.lock === "suspended" ? undefined : guest.lock);
    else if ("lock" in patch) this.model.setLock(guest, patch.lock);
  }

  /**
   * A backup job as PVE's scheduler runs it (no API call, user root@pam): one vzdump task on `node`
   * for the listed guests that live there (every guest of the node when `vmids` is absent). Returns its UPID.
   */
  startScheduledBackup(job: { node: string; vmids?: number[]; storage: string; mode?: "snapshot" | "suspend" | "stop"; compress?: string }): string {
    const storage = this.model.storages.get(job.storage);
    if (!storage) throw new Error(`The simulator has no storage "${job.storage}".`);
    if (!this.model.nodes.has(job.node)) throw new Error(`Node "${job.node}" does not exist in the simulator.`);
    const guests = [...this.model.guests.values()]
      .filter((guest) => guest.node === job.node && !guest.template && (job.vmids === undefined || job.vmids.includes(guest.vmid)))
      .sort((a, b) => a.vmid - b.vmid);
    if (guests.length === 0) throw new Error(`None of the guests ${job.vmids?.join(", ") ?? "(all)"} is on ${job.node}: PVE's scheduler would start no task there.`);
    const mode = job.mode ?? "snapshot";
    const selection = job.vmids === undefined ? "--all 1" : guests.map((guest) => guest.vmid).join(" ");
    const options = `--mode ${mode}${job.compress ? ` --compress ${job.compress}` : ""} --storage ${job.storage} --quiet 1`;
    return runBackupJob(this.ctx, {
      node: job.node, guests, storage, mode, user: "root@pam", commandLine: `vzdump ${selection} ${options}`,
      ...(job.compress !== undefined ? { compress: job.compress } : {}),
    }).upid;
  }

  /**
   * A guest started outside any API client of the simulator (`qm start` / `pct start` on the node,
   * or PVE's own start-on-boot): a qmstart / vzstart task as `user` that runs the simulator's task
   * duration and leaves the guest running. Returns its UPID.
   */
  startGuest(vmid: number, user = "root@pam"): string {
    const guest = this.requireGuest(vmid);
    if (guest.template) throw new Error(`Guest ${vmid} is a template: it cannot start.`);
    if (isRunning(guest)) throw new Error(`Guest ${vmid} already runs.`);
    const { model, tasks, settings } = this.ctx;
    return tasks.start({
      node: guest.node,
      type: guest.kind === "qemu" ? "qmstart" : "vzstart",
      id: String(vmid),
      user,
      durationMs: settings.taskDurationMs,
      finish: () => {
        if (model.guests.get(vmid) !== guest) return `Configuration file of ${vmid} does not exist`;
        if (!isRunning(guest)) model.setRunState(guest, "running");
        return "OK";
      },
    }).upid;
  }

  /** Every guest in vmid order, in brief: what a driver (the benchmark) picks guests from. */
  guestSummaries(): SimGuestSummary[] {
    return [...this.model.guests.values()]
      .sort((a, b) => a.vmid - b.vmid)
      .map((guest) => ({ vmid: guest.vmid, kind: guest.kind, node: guest.node, status: specStatus(guest), template: guest.template, agent: guest.agent }));
  }

  migrateGuest(vmid: number, node: string): void {
    this.model.moveGuest(this.requireGuest(vmid), node);
  }

  guest(vmid: number): SimGuestView | undefined {
    const guest = this.model.guests.get(vmid);
    if (!guest) return undefined;
    const view: SimGuestView = {
      node: guest.node,
      status: specStatus(guest),
      snapshots: guest.snapshots.map((s) => s.name),
      backups: this.model.backupsOf(vmid).length,
    };
    if (guest.lock !== undefined) view.lock = guest.lock;
    return view;
  }

  setNodeOnline(node: string, online: boolean, options: { offlineForMs?: number } = {}): void {
    this.model.setNodeOnline(node, online, options.offlineForMs ?? 0);
  }

  freeze(frozen: boolean): void {
    this.model.freeze(frozen);
  }

  advance(ms: number): void {
    this.model.advance(ms);
  }

  async setHostDown(host: number, down: boolean): Promise<void> {
    const server = this.hosts[host];
    if (!server) throw new Error(`The simulator has no host ${host} (it has ${this.hosts.length}).`);
    if (down) await server.close();
    else if (!this.stopped) await server.listen();
  }

  injectFault(fault: SimFault): () => void {
    return this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Every ticket and CSRF token issued so far (read-only copies). */
  issuedSecrets(): { tickets: string[]; csrfTokens: string[] } {
    const { tickets, csrfTokens } = this.ctx.auth.issued;
    return { tickets: [...tickets], csrfTokens: [...csrfTokens] };
  }

  revokeTickets(): void {
    this.ctx.auth.revokeAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clear();
    await Promise.all(this.hosts.map((host) => host.close()));
  }

  private requireGuest(vmid: number) {
    const guest = this.model.guests.get(vmid);
    if (!guest) throw new Error(`Guest ${vmid} does not exist in the simulator.`);
    return guest;
  }
}
