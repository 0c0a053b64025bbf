import type { Dispatcher } from "undici";
import { retryInterceptor } from "./undici.js";
import { PveClosedError } from "./errors.js";

export const RETRY_STATUSES = [429, 502, 503, 504];
/** Retries, not attempts: 4 retries = at most 5 attempts in all. */
export const MAX_RETRIES = 4;

type RetryCallback = (error?: Error | null) => void;

/**
 * undici's retry interceptor, narrowed to what PVE needs: GETs only, on 429/502/503/504 only,
 * never on a network error (that is the failover's business: the next host answers instead).
 * The default retry function would also retry errors without a code and 500s, hence our own.
 * `throwOnError: false` hands the last answer (with its reason phrase) to our handler once
 * the retries are spent. Pending back-off waits are released by `close()`.
 */
export class ReadRetryPolicy {
  private readonly waits = new Map<NodeJS.Timeout, RetryCallback>();
  private closed = false;

  constructor(private readonly baseMs: number) {}

  interceptor(): Dispatcher.DispatcherComposeInterceptor {
    return retryInterceptor({
      maxRetries: MAX_RETRIES,
      methods: ["GET"],
      statusCodes: RETRY_STATUSES,
      errorCodes: [],
      throwOnError: false,
      retry: (error, { state, opts }, callback) => this.decide(error, state.counter, opts.method, callback),
    });
  }

  private decide(error: Error, counter: number, method: string, callback: RetryCallback): void {
    const { statusCode, headers } = error as Error & { statusCode?: number; headers?: Record<string, string | string[] | undefined> };
    const retryable =
      !this.closed && method === "GET" && statusCode !== undefined && RETRY_STATUSES.includes(statusCode) && counter <= MAX_RETRIES;
    if (!retryable) {
      callback(error);
      return;
    }
    const backoff = this.baseMs * 2 ** (counter - 1);
    const retryAfterSec = Number(headers?.["retry-after"]);
    const delay = Number.isFinite(retryAfterSec) && retryAfterSec > 0 ? Math.min(retryAfterSec * 1000, this.baseMs * 16) : backoff;
    const timer = setTimeout(() => {
      this.waits.delete(timer);
      callback(null);
    }, delay);
    this.waits.set(timer, callback);
  }

  close(): void {
    this.closed = true;
    for (const [timer, callback] of this.waits) {
      clearTimeout(timer);
      callback(new PveClosedError());
    }
    this.waits.clear();
  }
}
