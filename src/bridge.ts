import { randomBytes } from "node:crypto";
import { pause } from "./backoff.js";
import { errorMessage } from "./error-message.js";
import type { Config } from "./config/schema.js";
import type { BridgeMetrics } from "./http/metrics.js";
import type { HttpServer } from "./http/server.js";
import type { Panel } from "./http/panel/index.js";
import { brokerTarget } from "./http/panel/target.js";
import { bridgeTopic } from "./homeassistant/topics.js";
import { Poller, type PollOutcome } from "./inventory/poller.js";
import { slug, type DeviceKey } from "./inventory/types.js";
import type { Logger } from "./log.js";
import { OutageLog } from "./outage-log.js";
import { connectBroker } from "./mqtt/broker.js";
import { safeUrl } from "./mqtt/errors.js";
import type { EmbeddedBroker } from "./mqtt/embedded.js";
import { createSession, type Session } from "./session.js";
import { bridgeInfo, type BridgeInfo } from "./publish/info.js";
import { firstSuccessfulPoll, PollHistory, Serial } from "./polling.js";
import { startHttpSide } from "./http/start.js";
import { pollCadence } from "./inventory/cadence.js";
import { PveClient, clientOptionsFromConfig, type PveClientOptions } from "./pve/index.js";
import type { CommandResult } from "./state/types.js";

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
 * commands, health endpoint. `start()` resolves once the first poll succeeded and everything is
 * published; polls never overlap.
 */
export class Bridge {
  readonly api: PveClient;
  private readonly poller: Poller;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly base: string;
  /** Prometheus metrics; only with `http.port` (prom-client is loaded only then). */
  private metrics: BridgeMetrics | null = null;
  private http: HttpServer | null = null;
  /** The web panel, served with the HTTP endpoint (CONTRACT section 10). */
  private panel: Panel | null = null;
  private broker: EmbeddedBroker | null = null;
  private connected: Session | null = null;
  private readonly lastActions = new Map<DeviceKey, CommandResult>();
  private pollTimer: NodeJS.Timeout | null = null;
  private readonly polls = new Serial(() => this.cycle());
  private stopped = false;
  private readonly stopping = new AbortController();
  private starting: Promise<void> | null = null;
  private readonly outage: OutageLog;
  private readonly history: PollHistory;
  private cid: string | null = null;

  constructor(private readonly options: BridgeOptions) {
    this.config = options.config;
    this.log = options.log;
    this.now = options.now ?? Date.now;
    this.outage = new OutageLog(options.log, this.now);
    this.history = new PollHistory(this.now, () => this.metrics);
    this.base = options.config.mqtt.base_topic;
    this.api = new PveClient({
      ...clientOptionsFromConfig(options.config, options.log),
      events: {
        request: (request) => this.metrics?.countRequest(request),
        login: (kind) => this.metrics?.logins.inc({ kind }),
        hostDown: () => this.metrics?.failovers.inc(),
      },
      ...options.tuning?.pve,
    });
    this.poller = new Poller(this.api, {
      clusterNameOverride: options.config.proxmox.cluster_name,
      filter: options.config.filter,
      log: options.log,
      now: this.now,
      ...pollCadence(options.config),
    });
  }

  /** The health panel, as published on `B/bridge/info` and served on GET /health. */
  get info(): BridgeInfo {
    return bridgeInfo({
      outcome: this.poller.current,
      cid: this.cid,
      connectedHost: this.api.connectedHost(),
      hosts: this.api.hosts(),
      lastPoll: this.history.last,
      failures: this.history.failures,
      mqttConnected: this.connected?.connection.connected ?? false,
      devices: this.connected?.sync.counts() ?? null,
    });
  }

  /** Prometheus exposition of the bridge's and the cluster's figures (GET /metrics). */
  async metricsText(): Promise<{ contentType: string; body: string }> {
    if (!this.metrics) throw new Error("metrics are served only when http.port is set");
    return { contentType: this.metrics.contentType, body: await this.metrics.metrics() };
  }

  /** `http://host:port` of GET /health and /metrics, when `http.port` is set. */
  get httpUrl(): string | null {
    return this.http?.url ?? null;
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

  /** Publishes `offline`, releases everything; PVE tasks still running are left alone. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.stopping.abort();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.connected?.schedules.stop();
    this.connected?.runner.stop();
    // Closing the client first ends any request in flight, so a start-up still under way settles at once.
    await this.api.close();
    await this.starting?.catch(() => undefined);
    try {
      await this.connected?.connection.close({ finalPublish: { topic: bridgeTopic(this.base, "state"), payload: "offline" } });
    } catch (error) {
      this.log.warn({ err: errorMessage(error) }, "could not publish offline on stop");
    }
    await this.broker?.close();
    await this.http?.close();
    this.log.info("bridge stopped");
  }

  /** Runs a poll now; joins the queued one if a poll is already running (polls never overlap). */
  pollNow(): Promise<void> {
    return this.polls.run();
  }

  private async startOnce(): Promise<void> {
    // Health answers (503) from the start, while PVE or the broker may still be unreachable.
    if (this.config.http.port !== undefined) await this.startHttp(this.config.http.port);
    else if (this.config.notifications.secret !== undefined) this.log.warn("notifications.secret is set but http.port is not: PVE notifications cannot be received");
    const outcome = await this.firstPoll();
    if (!outcome) return;
    const cluster = outcome.inventory.cluster;
    this.cid = slug(cluster.name);
    this.log.info({ cluster: cluster.name, pve_version: this.info.pve_version, host: this.api.connectedHost() }, "connected to Proxmox VE");

    const session = await connectBroker(this.config, {
      clientId: this.config.mqtt.client_id ?? `pve2mqtt_${this.cid}_${randomBytes(3).toString("hex")}`,
      will: { topic: bridgeTopic(this.base, "state"), payload: "offline" },
      log: this.log,
      reconnectPeriodMs: this.options.tuning?.mqttReconnectMs,
      signal: this.stopping.signal,
    });
    if (!session) return;
    this.broker = session.broker;
    // The panel mirrors the topics through its own client, on the same broker with the same credentials.
    const panelTarget = brokerTarget(this.config, this.broker?.url ?? null);
    if (panelTarget) void this.panel?.connectBroker(panelTarget);
    const { connection } = session;
    const connected = createSession({
      config: this.config,
      log: this.log,
      now: this.now,
      api: this.api,
      poller: this.poller,
      connection,
      cid: this.cid,
      clusterName: cluster.name,
      lastActions: this.lastActions,
      pollOrThrow: () => this.pollOrThrow(),
      refreshAll: async () => {
        await this.pollNow();
        return this.history.error;
      },
      onHomeAssistantBirth: () => this.onHomeAssistantBirth(),
      onResult: (result) => this.metrics?.commands.inc({ action: result.action ?? "unreadable", result: result.status }),
    });
    this.connected = connected;
    // the panel follows the states as the bridge sends them, not through the broker a second time
    this.panel?.follow(connected.publisher);
    await connected.goOnline(outcome, {
      stopped: () => this.stopped,
      onReconnect: () => void this.republishEverything("reconnected to the MQTT broker"),
    });
    if (this.stopped) return;
    await this.publishInfo();
    this.log.info({ ...connected.sync.counts(), broker: this.broker?.url ?? safeUrl(this.config.mqtt.url ?? "") }, "bridge online: discovery and states published");
    this.schedulePoll(this.now());
  }

  private async startHttp(port: number): Promise<void> {
    const side = await startHttpSide({
      config: this.config,
      port,
      log: this.log,
      api: this.api,
      health: this,
      outcome: () => this.poller.current,
      publisher: () => this.connected?.publisher ?? null,
      pollNow: () => void this.pollNow(),
    });
    this.metrics = side.metrics;
    this.panel = side.panel;
    this.http = side.server;
  }

  /** The first poll, retried while PVE cannot be reached (see firstSuccessfulPoll). */
  private firstPoll(): Promise<PollOutcome | null> {
    return firstSuccessfulPoll({
      poll: () => this.poller.poll(),
      history: this.history,
      log: this.log,
      now: this.now,
      interval: this.config.poll.interval,
      signal: this.stopping.signal,
    });
  }

  private async cycle(): Promise<void> {
    const sync = this.connected?.sync;
    if (this.stopped || !sync) return;
    const started = this.now();
    try {
      const outcome = await this.poller.poll();
      this.outage.recovered({ host: this.api.connectedHost() });
      this.history.succeeded(started);
      await sync.sync(outcome);
    } catch (error) {
      if (this.stopped) return; // the client was closed under a poll in flight: not a PVE failure
      this.history.failed(started, error, { counted: true });
      this.outage.failed(error);
      if (this.history.failures === OFFLINE_AFTER_FAILURES) {
        this.log.warn("second failed poll in a row: every device reported offline until PVE answers");
        await sync.markAllOffline();
      }
    } finally {
      if (!this.stopped) {
        await this.publishInfo();
        this.schedulePoll(started);
      }
    }
  }

  /** A poll for a command (refresh, relocation): its failure is the command's error. */
  private async pollOrThrow(): Promise<void> {
    await this.pollNow();
    if (this.history.error !== null) throw new Error(this.history.error);
  }

  private schedulePoll(lastStart: number): void {
    if (this.stopped) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const delay = Math.max(0, lastStart + this.config.poll.interval * 1000 - this.now());
    this.pollTimer = setTimeout(() => void this.pollNow(), delay);
  }

  /** Home Assistant restarted: re-publish after a random delay of at most 5 s, as its docs ask. */
  private onHomeAssistantBirth(): void {
    const maxDelay = this.options.tuning?.birthDelayMs ?? 5000;
    void pause(Math.floor(Math.random() * maxDelay), this.stopping.signal).then(() => this.republishEverything("Home Assistant came online"));
  }

  /** Discovery, availability and states again (birth message, broker reconnect). */
  private async republishEverything(reason: string): Promise<void> {
    if (this.stopped || !this.connected) return;
    const { sync } = this.connected;
    this.log.info(`${reason}: re-publishing discovery, availability and states`);
    sync.forgetPublished();
    await this.connected.publishBridge();
    const current = this.poller.current;
    if (current) await sync.sync(current, { force: true });
    await this.connected.schedules.republish();
    if (this.history.failures >= OFFLINE_AFTER_FAILURES) await sync.markAllOffline();
    await this.publishInfo();
  }

  private async publishInfo(): Promise<void> {
    await this.connected?.publishInfo(this.info);
  }
}
