import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { CommandRunner } from "./commands/runner.js";
import type { DeviceRef } from "./commands/parse.js";
import type { Config } from "./config/schema.js";
import { bridgeDiscovery, type DiscoveryContext } from "./homeassistant/discovery.js";
import { bridgeTopic, deviceTopic } from "./homeassistant/topics.js";
import { loadTranslations } from "./homeassistant/translations.js";
import { Poller, type PollOutcome } from "./inventory/poller.js";
import { guestKey, nodeKey, slug, storageKey, type DeviceKey } from "./inventory/types.js";
import type { Logger } from "./log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "./mqtt/embedded.js";
import { MqttConnection, type IncomingMessage } from "./mqtt/connection.js";
import { MqttConnectError } from "./mqtt/errors.js";
import { Publisher } from "./mqtt/publisher.js";
import { DeviceSync } from "./publish/devices.js";
import { parseIncomingTopic } from "./publish/incoming.js";
import type { BridgeInfo } from "./publish/info.js";
import { BridgeMetrics, endpointLabel } from "./http/metrics.js";
import { PveClient, clientOptionsFromConfig, type PveClientOptions } from "./pve/index.js";
import { PveAuthError } from "./pve/errors.js";
import { ClusterNameUnknownError } from "./inventory/errors.js";
import type { CommandResult } from "./state/types.js";
import { BRIDGE_VERSION } from "./version.js";

export interface BridgeOptions {
  config: Config;
  log: Logger;
  now?: () => number;
  /** Shorter timings for tests and the demo; production uses the defaults. */
  tuning?: {
    /** Upper bound of the random delay before answering a Home Assistant birth message (default 5000). */
    birthDelayMs?: number;
    mqttReconnectMs?: number;
    pve?: Partial<PveClientOptions>;
  };
}

/** Failed polls in a row after which every device is reported offline (never on one blip). */
const OFFLINE_AFTER_FAILURES = 2;

/**
 * Owns the lifecycle: PVE client, poller, MQTT connection (and embedded broker), device sync,
 * commands. `start()` resolves once the first poll succeeded and everything is published.
 */
export class Bridge {
  readonly api: PveClient;
  readonly metrics = new BridgeMetrics();
  private readonly poller: Poller;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly base: string;
  private broker: EmbeddedBroker | null = null;
  private connection: MqttConnection | null = null;
  private publisher: Publisher | null = null;
  private sync: DeviceSync | null = null;
  private runner: CommandRunner | null = null;
  private discoveryContext: DiscoveryContext | null = null;
  private readonly lastActions = new Map<DeviceKey, CommandResult>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private pollTimer: NodeJS.Timeout | null = null;
  private runningPoll: Promise<void> | null = null;
  private queuedPoll: Promise<void> | null = null;
  private stopped = false;
  private readonly stopping = new AbortController();
  private starting: Promise<void> | null = null;
  private failures = 0;
  private lastPoll: { at: number; duration: number; ok: boolean; error: string | null } | null = null;
  private cid: string | null = null;

  constructor(private readonly options: BridgeOptions) {
    this.config = options.config;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.base = options.config.mqtt.base_topic;
    this.api = new PveClient({
      ...clientOptionsFromConfig(options.config, options.log),
      events: {
        request: ({ method, path, status }) => this.metrics.pveRequests.inc({ method, endpoint: endpointLabel(path), status: String(status) }),
        login: (kind) => this.metrics.logins.inc({ kind }),
        hostDown: () => this.metrics.failovers.inc(),
      },
      ...options.tuning?.pve,
    });
    this.poller = new Poller(this.api, {
      clusterNameOverride: options.config.proxmox.cluster_name,
      filter: options.config.filter,
      log: options.log,
      now: this.now,
    });
    this.metrics.attach({
      inventory: () => this.poller.current?.inventory ?? null,
      mqttPublished: () => this.publisher?.publishedCount ?? 0,
    });
  }

  /** Prometheus exposition of the bridge's and the cluster's figures (GET /metrics). */
  async metricsText(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.metrics.contentType, body: await this.metrics.metrics() };
  }

  /** The health panel, as published on `B/bridge/info`. */
  get info(): BridgeInfo {
    const outcome = this.poller.current;
    const nodeVersions = outcome?.inventory.nodes.map((n) => n.pveVersion).filter((v): v is string => v !== null) ?? [];
    return {
      version: BRIDGE_VERSION,
      cluster: outcome?.inventory.cluster.name ?? null,
      cid: this.cid,
      pve_version: outcome?.inventory.cluster.pveVersion ?? nodeVersions[0] ?? null,
      quorate: outcome?.inventory.cluster.quorate ?? null,
      connected_host: this.api.connectedHost(),
      hosts: this.api.hosts(),
      last_poll: this.lastPoll ? new Date(this.lastPoll.at).toISOString() : null,
      last_poll_duration: this.lastPoll ? Math.round(this.lastPoll.duration) / 1000 : null,
      last_poll_result: this.lastPoll ? (this.lastPoll.ok ? "ok" : "error") : null,
      last_error: this.lastPoll?.error ?? null,
      consecutive_failures: this.failures,
      mqtt_connected: this.connection?.connected ?? false,
      devices: this.sync?.counts() ?? { nodes: 0, qemu: 0, lxc: 0, storages: 0 },
    };
  }

  /** The embedded broker's URL when one was started. */
  get brokerUrl(): string | null {
    return this.broker?.url ?? null;
  }

  /** Resolves once the first poll succeeded and everything is published (or `stop()` was called). */
  start(): Promise<void> {
    this.starting ??= this.startOnce();
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const outcome = await this.firstPoll();
    if (!outcome) return;
    const cluster = outcome.inventory.cluster;
    this.cid = slug(cluster.name);
    this.log.info({ cluster: cluster.name, pve_version: this.info.pve_version, host: this.api.connectedHost() }, "connected to Proxmox VE");

    const connection = await this.connectMqtt(this.cid);
    if (!connection) return;
    this.connection = connection;
    const publisher = new Publisher(connection, this.log);
    this.publisher = publisher;
    this.discoveryContext = {
      config: this.config,
      cid: this.cid,
      clusterName: cluster.name,
      translations: loadTranslations(this.config.language),
      bridgeVersion: BRIDGE_VERSION,
      webUiUrl: `${this.api.connectedHost() ?? this.config.proxmox.hosts[0]!.origin}/`,
    };
    this.sync = new DeviceSync({
      config: this.config,
      publisher,
      log: this.log,
      discoveryContext: () => this.discoveryContext!,
      lastAction: (key) => this.lastActions.get(key) ?? null,
      now: this.now,
    });
    this.runner = this.createRunner();

    this.sync.seedFromBroker(await connection.readRetained(`${this.base}/#`, 300));
    if (this.stopped) return;
    connection.onMessage((message) => this.onMessage(message));
    connection.onConnect(({ reconnect }) => {
      if (reconnect) void this.republishEverything("reconnected to the MQTT broker");
    });
    const filters = [`${this.base}/+/+/set`, `${this.base}/storage/+/+/set`, `${this.base}/bridge/set`, `${this.base}/bridge/request/refresh`];
    if (this.config.homeassistant.enabled) filters.push(this.config.homeassistant.status_topic);
    await connection.subscribe(filters, 1);
    await this.publishBridge();
    await this.sync.sync(outcome, { force: true });
    await this.publishInfo();
    const counts = this.sync.counts();
    this.log.info({ ...counts, broker: this.broker?.url ?? this.config.mqtt.url }, "bridge online: discovery and states published");
    this.schedulePoll(this.now());
  }

  /** Publishes `offline`, releases everything; PVE tasks still running are left alone. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.runner?.stop();
    // Closing the client first ends any request in flight, so a start-up still under way settles at once.
    await this.api.close();
    await this.starting?.catch(() => undefined);
    try {
      await this.connection?.close({ finalPublish: { topic: bridgeTopic(this.base, "state"), payload: "offline" } });
    } catch (error) {
      this.log.warn({ err: errorMessage(error) }, "could not publish offline on stop");
    }
    await this.broker?.close();
    this.log.info("bridge stopped");
  }

  /** Runs a poll now; joins the queued one if a poll is already running (polls never overlap). */
  pollNow(): Promise<void> {
    if (!this.runningPoll) {
      this.runningPoll = this.cycle().finally(() => {
        this.runningPoll = null;
      });
      return this.runningPoll;
    }
    if (!this.queuedPoll) {
      this.queuedPoll = this.runningPoll.then(() => {
        this.queuedPoll = null;
        return this.pollNow();
      });
    }
    return this.queuedPoll;
  }

  /** The first poll, retried until PVE answers; null when stopped meanwhile. Bad credentials are fatal. */
  private async firstPoll(): Promise<PollOutcome | null> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const started = this.now();
        const outcome = await this.poller.poll();
        this.lastPoll = { at: this.now(), duration: this.now() - started, ok: true, error: null };
        return outcome;
      } catch (error) {
        if (this.stopped) return null;
        if (error instanceof PveAuthError || error instanceof ClusterNameUnknownError) throw error;
        this.lastPoll = { at: this.now(), duration: 0, ok: false, error: errorMessage(error) };
        if (attempt === 0) this.log.warn({ err: errorMessage(error) }, "Proxmox VE not reachable at start; retrying");
        await this.sleep(retryDelay(attempt, this.config.poll.interval));
      }
    }
    return null;
  }

  private async cycle(): Promise<void> {
    if (this.stopped || !this.sync) return;
    const started = this.now();
    try {
      const outcome = await this.poller.poll();
      if (this.failures > 0) this.log.info({ host: this.api.connectedHost() }, "Proxmox VE answers again");
      this.failures = 0;
      this.lastPoll = { at: this.now(), duration: this.now() - started, ok: true, error: null };
      this.metrics.polls.inc({ result: "ok" });
      this.metrics.pollDuration.observe(this.lastPoll.duration / 1000);
      await this.sync.sync(outcome);
    } catch (error) {
      if (this.stopped) return; // the client was closed under a poll in flight: not a PVE failure
      this.failures++;
      this.lastPoll = { at: this.now(), duration: this.now() - started, ok: false, error: errorMessage(error) };
      this.metrics.polls.inc({ result: "error" });
      if (this.failures === 1) this.log.warn({ err: errorMessage(error) }, "poll failed; keeping the last state");
      if (this.failures === OFFLINE_AFTER_FAILURES) {
        this.log.warn("second failed poll in a row: every device reported offline until PVE answers");
        await this.sync.markAllOffline();
      }
    } finally {
      if (!this.stopped) {
        await this.publishInfo();
        this.schedulePoll(started);
      }
    }
  }

  private schedulePoll(lastStart: number): void {
    if (this.stopped) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const delay = Math.max(0, lastStart + this.config.poll.interval * 1000 - this.now());
    this.pollTimer = setTimeout(() => void this.pollNow(), delay);
  }

  /**
   * Connects to the configured broker (or starts the embedded one), retrying while the broker is
   * not there yet; refused credentials are fatal. Null when stopped meanwhile.
   */
  private async connectMqtt(cid: string): Promise<MqttConnection | null> {
    let url = this.config.mqtt.url;
    if (!url) {
      this.broker = await startEmbeddedBroker({ ...this.config.embedded_broker, log: this.log });
      url = this.broker.url;
    }
    const clientId = this.config.mqtt.client_id ?? `pve2mqtt_${cid}_${randomBytes(3).toString("hex")}`;
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const connection = await this.openConnection(url, clientId);
        if (!this.stopped) return connection;
        await connection.close();
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof MqttConnectError && error.reason === "auth") throw error;
        if (attempt === 0) this.log.warn({ err: errorMessage(error), url }, "MQTT broker not reachable at start; retrying");
        await this.sleep(retryDelay(attempt, 30));
      }
    }
    return null;
  }

  private openConnection(url: string, clientId: string): Promise<MqttConnection> {
    const mqtt = this.config.mqtt;
    const readOptional = (path: string | undefined) => (path ? readFileSync(path, "utf8") : undefined);
    const embedded = this.broker ? this.config.embedded_broker : undefined;
    return MqttConnection.connect({
      url,
      clientId,
      username: embedded ? embedded.username : mqtt.username,
      password: embedded ? embedded.password : mqtt.password,
      ca: readOptional(mqtt.ca_file),
      cert: readOptional(mqtt.cert_file),
      key: readOptional(mqtt.key_file),
      rejectUnauthorized: mqtt.reject_unauthorized,
      will: { topic: bridgeTopic(this.base, "state"), payload: "offline", retain: true, qos: 1 },
      log: this.log,
      reconnectPeriodMs: this.options.tuning?.mqttReconnectMs,
    });
  }

  private onMessage(message: IncomingMessage): void {
    if (this.stopped) return;
    if (this.config.homeassistant.enabled && message.topic === this.config.homeassistant.status_topic) {
      if (message.payload.toString("utf8").trim() === "online") this.onHomeAssistantBirth();
      return;
    }
    const parsed = parseIncomingTopic(this.base, message.topic, this.poller.current?.inventory ?? null);
    switch (parsed.type) {
      case "ignored":
        return;
      case "bridge-refresh":
        void this.answerBridgeRefresh(message.payload);
        return;
      case "unknown-device":
        if (message.retain) return;
        void this.publisher?.publish(parsed.resultTopic, JSON.stringify({ id: null, action: null, status: "error", error: parsed.reason }), { retain: false, qos: 1, force: true });
        return;
      case "command":
        this.runner?.handle(parsed.device, message.payload, { retained: message.retain });
    }
  }

  private async answerBridgeRefresh(payload: Buffer): Promise<void> {
    const id = readRequestId(payload);
    await this.pollNow();
    const ok = this.lastPoll?.ok === true;
    const answer = ok ? { id, status: "ok" } : { id, status: "error", error: this.lastPoll?.error ?? "poll failed" };
    await this.publisher?.publish(`${this.base}/bridge/response/refresh`, JSON.stringify(answer), { retain: false, qos: 1, force: true });
  }

  private onHomeAssistantBirth(): void {
    const maxDelay = this.options.tuning?.birthDelayMs ?? 5000;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.republishEverything("Home Assistant came online");
    }, Math.floor(Math.random() * maxDelay));
    this.timers.add(timer);
  }

  /** Discovery, availability and states again (birth message, broker reconnect). */
  private async republishEverything(reason: string): Promise<void> {
    if (this.stopped || !this.sync || !this.publisher) return;
    this.log.info(reason + ": re-publishing discovery, availability and states");
    this.publisher.forgetAll();
    this.sync.forgetPublished();
    await this.publishBridge();
    const current = this.poller.current;
    if (current) await this.sync.sync(current, { force: true });
    if (this.failures >= OFFLINE_AFTER_FAILURES) await this.sync.markAllOffline();
    await this.publishInfo();
  }

  private async publishBridge(): Promise<void> {
    const publisher = this.publisher!;
    await publisher.publish(bridgeTopic(this.base, "state"), "online", { retain: true, qos: 1, force: true });
    if (!this.config.homeassistant.enabled || !this.discoveryContext) return;
    await Promise.all(bridgeDiscovery(this.discoveryContext).map((m) => publisher.publish(m.topic, JSON.stringify(m.payload), { retain: true, qos: 1 })));
  }

  private async publishInfo(): Promise<void> {
    await this.publisher?.publish(bridgeTopic(this.base, "info"), JSON.stringify(this.info), { retain: true, qos: 1 });
  }

  private createRunner(): CommandRunner {
    return new CommandRunner({
      api: this.api,
      config: this.config,
      log: this.log,
      now: this.now,
      locate: (device) => this.locate(device),
      relocate: async (device) => {
        await this.pollNow();
        return this.locate(device);
      },
      backupStorages: (node) =>
        (this.poller.current?.inventory.storages ?? [])
          .filter((s) => s.node === node && s.content.includes("backup") && s.status === "available")
          .map((s) => s.storage),
      refresh: (device, options) => this.refreshDevice(device, options),
      publishResult: (device, result) => this.publishResult(device, result),
    });
  }

  private locate(device: DeviceRef): { node: string } | null {
    const inventory = this.poller.current?.inventory;
    if (!inventory) return null;
    switch (device.kind) {
      case "qemu":
      case "lxc": {
        const guest = inventory.guests.find((g) => g.kind === device.kind && g.vmid === device.vmid);
        return guest ? { node: guest.node } : null;
      }
      case "node":
        return inventory.nodes.some((n) => n.name === device.node) ? { node: device.node } : null;
      case "storage":
        return inventory.storages.some((s) => s.node === device.node && s.storage === device.storage) ? { node: device.node } : null;
      case "bridge":
        return { node: "" };
    }
  }

  private async refreshDevice(device: DeviceRef, options?: { details?: Array<"ips" | "snapshots" | "backups">; full?: boolean }): Promise<string | null> {
    if ((device.kind === "qemu" || device.kind === "lxc") && !options?.full) {
      const key = guestKey(device.kind, device.vmid);
      const outcome = await this.poller.refreshGuest(key, { details: options?.details });
      await this.sync?.syncGuest(outcome, key);
      return outcome.inventory.guests.find((g) => g.kind === device.kind && g.vmid === device.vmid)?.status ?? null;
    }
    await this.pollNow();
    if (this.lastPoll && !this.lastPoll.ok) throw new Error(this.lastPoll.error ?? "poll failed");
    return null;
  }

  private publishResult(device: DeviceRef, result: CommandResult): void {
    if (result.status !== "started") this.metrics.commands.inc({ action: result.action ?? "unreadable", result: result.status });
    const key = deviceKeyOf(device);
    const topic = key ? deviceTopic(this.base, key) : `${this.base}/bridge`;
    void this.publisher?.publish(`${topic}/result`, JSON.stringify(result), { retain: false, qos: 1, force: true });
    if (device.kind === "qemu" || device.kind === "lxc") {
      this.lastActions.set(key!, { ...result, time: result.time ?? new Date(this.now()).toISOString() });
      const current = this.poller.current;
      if (current && this.sync) void this.sync.syncGuest(current, key!);
    }
  }

  /** Waits, or less when the bridge stops meanwhile. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.stopping.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopping.signal.addEventListener("abort", done);
    });
  }
}

/** 1 s, 2 s, 4 s … capped at `maxSeconds`: quick when a service is just starting, gentle when it is down. */
function retryDelay(attempt: number, maxSeconds: number): number {
  return Math.min(maxSeconds, 2 ** Math.min(attempt, 10)) * 1000;
}

function deviceKeyOf(device: DeviceRef): DeviceKey | null {
  switch (device.kind) {
    case "qemu":
    case "lxc":
      return guestKey(device.kind, device.vmid);
    case "node":
      return nodeKey(device.node);
    case "storage":
      return storageKey(device.node, device.storage);
    case "bridge":
      return null;
  }
}

/** The `id` of a JSON request payload, echoed in the answer; null when absent or unreadable. */
function readRequestId(payload: Buffer): string | number | null {
  if (payload.length > 65_536) return null;
  try {
    const parsed: unknown = JSON.parse(payload.toString("utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      const id = (parsed as Record<string, unknown>).id;
      if (typeof id === "string" && id.length <= 128) return id;
      if (typeof id === "number" && Number.isFinite(id)) return id;
    }
  } catch {
    // a bare word or garbage: no id
  }
  return null;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
