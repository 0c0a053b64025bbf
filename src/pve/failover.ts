import type { Dispatcher, Pool as PoolType } from "undici";
import { Pool } from "./undici.js";
import type { HostSpec } from "../config/schema.js";
import type { Logger } from "../log.js";
import { PveTlsError, PveUnreachableError, PveWriteOutcomeUnknownError, type HostFailure } from "./errors.js";
import { ReadRetryPolicy } from "./retry.js";
import { ConnectFailure, createConnector, type TlsPolicy } from "./tls.js";
import { SentFailure, sendOnce, type OutgoingRequest, type RawResponse } from "./transport.js";
import type { HostHealth, PveEvents } from "./types.js";

export const MAX_HOST_RETRY_MS = 300_000;

export interface FailoverOptions {
  tls: TlsPolicy;
  timeoutMs: number;
  maxBodyBytes: number;
  hostRetryBaseMs: number;
  retryBaseMs: number;
  now: () => number;
  log: Logger;
  events?: PveEvents;
}

export interface SendOptions {
  /**
   * A write that has gone out is never sent again (a repeat would start a second task): only a
   * connect failure lets it move to the next host. Logins are not writes in this sense.
   */
  write: boolean;
  timeoutMs?: number;
}

interface Host {
  spec: HostSpec;
  /** Keep-alive connections for reads, behind the GET retry interceptor. */
  reads: Dispatcher;
  /**
   * Writes always go on a fresh connection (pipelining 0 = no keep-alive): on a reused socket the
   * server may have closed it just before our bytes went out, and "never reached the host" could
   * not be told apart from "received, answer lost". On a fresh one, a failure before
   * the handshake completed is certain to have sent nothing.
   */
  writes: PoolType;
  pools: PoolType[];
  state: HostHealth["state"];
  lastError: string | null;
  retryAt: number | null;
  consecutiveFailures: number;
}

/**
 * Hosts in config order. One that cannot be reached is put aside (30 s doubling to 300 s) and the
 * next one answers the same request; when its period ends it is tried again first. HTTP answers,
 * whatever their status, are answers and never a reason to switch.
 */
/**
 * Keep-alive connections for reads per host. PVE's proxy closes an idle connection after ~5 s, so
 * every connection a poll opens is a TLS handshake on the node (CONTRACT 7): a poll's reads queue
 * on these two (the core in sequence, the details two at a time) instead of opening one each.
 */
const READ_CONNECTIONS = 2;

export class Failover {
  private readonly hosts: Host[];
  private readonly retryPolicy: ReadRetryPolicy;
  private lastOrigin: string | null = null;

  constructor(specs: HostSpec[], private readonly options: FailoverOptions) {
    if (specs.length === 0) throw new Error("at least one PVE host is required");
    this.retryPolicy = new ReadRetryPolicy(options.retryBaseMs);
    this.hosts = specs.map((spec) => {
      const connect = createConnector(spec.origin, options.tls, options.timeoutMs);
      const reads = new Pool(spec.origin, { connect, connections: READ_CONNECTIONS });
      const writes = new Pool(spec.origin, { connect, pipelining: 0 });
      return {
        spec,
        reads: reads.compose(this.retryPolicy.interceptor()),
        writes,
        pools: [reads, writes],
        state: "untried",
        lastError: null,
        retryAt: null,
        consecutiveFailures: 0,
      };
    });
  }

  async send(request: OutgoingRequest, sendOptions: SendOptions): Promise<{ response: RawResponse; origin: string }> {
    const timeoutMs = sendOptions.timeoutMs ?? this.options.timeoutMs;
    const failures: HostFailure[] = [];
    const tlsErrors: PveTlsError[] = [];
    const newlyDown: HostFailure[] = [];

    for (const host of this.order()) {
      const origin = host.spec.origin;
      const started = this.options.now();
      try {
        const response = await this.sendTo(host, request, sendOptions.write, timeoutMs);
        this.options.log.debug({ host: origin, method: request.method, path: request.path, status: response.status, ms: this.options.now() - started }, "PVE request");
        this.options.events?.request?.({ method: request.method, path: request.path, status: response.status });
        this.markAnswered(host, newlyDown);
        return { response, origin };
      } catch (error) {
        this.options.events?.request?.({ method: request.method, path: request.path, status: 0 });
        if (error instanceof SentFailure && sendOptions.write) {
          const why =
            error.kind === "timeout" ? `did not answer within ${formatSeconds(timeoutMs)}` : `the connection broke before the answer (${error.message})`;
          throw new PveWriteOutcomeUnknownError(origin, request.path, why);
        }
        if (!(error instanceof ConnectFailure) && !(error instanceof SentFailure)) throw error;
        if (error instanceof ConnectFailure && error.tlsError) tlsErrors.push(error.tlsError);
        const reason = error instanceof SentFailure && error.kind === "timeout" ? `no answer within ${formatSeconds(timeoutMs)}` : error.message;
        this.options.log.debug({ host: origin, method: request.method, path: request.path, reason }, "PVE host failed");
        failures.push({ origin, reason });
        if (this.markDown(host, reason)) {
          newlyDown.push({ origin, reason });
          this.options.events?.hostDown?.(origin);
        }
      }
    }

    for (const down of newlyDown) this.options.log.info(`host ${down.origin} unreachable: ${down.reason}`);
    if (tlsErrors.length === failures.length && tlsErrors[0]) throw tlsErrors[0];
    throw new PveUnreachableError(failures);
  }

  /**
   * A read whose keep-alive socket broke (the server closed it as we wrote: pveproxy restarted, or
   * its idle timeout) is tried once more on a fresh connection before the host counts as failed.
   */
  private async sendTo(host: Host, request: OutgoingRequest, write: boolean, timeoutMs: number): Promise<RawResponse> {
    const options = { timeoutMs, maxBodyBytes: this.options.maxBodyBytes };
    if (write) return sendOnce(host.writes, request, options);
    try {
      return await sendOnce(host.reads, request, options);
    } catch (error) {
      if (!(error instanceof SentFailure && error.kind === "socket" && !error.responded)) throw error;
      return sendOnce(host.reads, request, options);
    }
  }

  /** Hosts whose put-aside period is over, in config order, then the others, earliest retry first. */
  private order(): Host[] {
    const now = this.options.now();
    const ready = this.hosts.filter((host) => host.retryAt === null || host.retryAt <= now);
    const waiting = this.hosts.filter((host) => !ready.includes(host)).sort((a, b) => (a.retryAt ?? 0) - (b.retryAt ?? 0));
    return [...ready, ...waiting];
  }

  private markAnswered(host: Host, newlyDown: HostFailure[]): void {
    const origin = host.spec.origin;
    for (const down of newlyDown) this.options.log.info(`host ${down.origin} unreachable: ${down.reason}, using ${origin}`);
    if (host.state === "down") this.options.log.info(`host ${origin} back`);
    host.state = "ok";
    host.lastError = null;
    host.retryAt = null;
    host.consecutiveFailures = 0;
    this.lastOrigin = origin;
  }

  /** Puts the host aside; returns true when this changed its state (worth one info line). */
  private markDown(host: Host, reason: string): boolean {
    const changed = host.state !== "down";
    host.consecutiveFailures += 1;
    const period = Math.min(this.options.hostRetryBaseMs * 2 ** (host.consecutiveFailures - 1), MAX_HOST_RETRY_MS);
    host.state = "down";
    host.lastError = reason;
    host.retryAt = this.options.now() + period;
    return changed;
  }

  health(): HostHealth[] {
    return this.hosts.map((host) => ({
      origin: host.spec.origin,
      state: host.state,
      lastError: host.lastError,
      retryAt: host.retryAt === null ? null : new Date(host.retryAt).toISOString(),
      consecutiveFailures: host.consecutiveFailures,
    }));
  }

  connected(): string | null {
    return this.lastOrigin;
  }

  async close(): Promise<void> {
    this.retryPolicy.close();
    await Promise.all(this.hosts.flatMap((host) => host.pools.map((pool) => pool.destroy().catch(() => undefined))));
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
