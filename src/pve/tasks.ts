import { setTimeout as delay } from "node:timers/promises";
import { PveAuthError, PveClosedError, PveError, PveHttpError, PveResponseError } from "./errors.js";
import { UPID_PATTERN, UpidSchema } from "./schemas.js";
import type { PveApi } from "./types.js";

export interface Upid {
  node: string;
  pid: number;
  /** Epoch seconds. */
  starttime: number;
  type: string;
  id: string;
  user: string;
}

/** The task id a write answered with; a PveResponseError naming the path when it is anything else. */
export function upidFrom(path: string, data: unknown): string {
  const parsed = UpidSchema.safeParse(data);
  if (!parsed.success) throw new PveResponseError(path, `response from ${path} is not a task id (UPID): ${JSON.stringify(data)?.slice(0, 100)}`);
  return parsed.data;
}

/** Parses `UPID:node:pid:pstart:starttime:type:id:user:`; throws on anything else. */
export function parseUpid(upid: string): Upid {
  if (!UPID_PATTERN.test(upid)) throw new PveError(`not a PVE task id (UPID): ${JSON.stringify(upid)}`);
  const [, node, pid, , starttime, type, id, user] = upid.split(":");
  return {
    node: node!,
    pid: Number.parseInt(pid!, 16),
    starttime: Number.parseInt(starttime!, 16),
    type: type!,
    id: id!,
    user: user!,
  };
}

export interface TaskOutcome {
  /** True for `OK` and `WARNINGS: n`. */
  ok: boolean;
  exitstatus: string;
}

export interface FollowOptions {
  signal?: AbortSignal;
  now?: () => number;
  /** Waits `ms`; rejects when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about each transient error while following (the poll goes on). */
  onTransientError?: (error: unknown) => void;
}

const FAST_MS = 250;
const MEDIUM_MS = 1000;
const SLOW_START_MS = 5000;
const SLOW_CAP_MS = 15_000;

/** 250 ms for the first 10 s, 1 s up to 2 min, then from 5 s growing to 15 s: backups take hours. */
export function pollInterval(elapsedMs: number, previousMs: number): number {
  if (elapsedMs < 10_000) return FAST_MS;
  if (elapsedMs < 120_000) return MEDIUM_MS;
  return Math.min(SLOW_CAP_MS, Math.max(SLOW_START_MS, Math.round(previousMs * 1.5)));
}

export function isTaskSuccess(exitstatus: string): boolean {
  return exitstatus === "OK" || /^WARNINGS: \d+$/.test(exitstatus);
}

/**
 * Polls a task until it stops. Transient errors (host unreachable, 5xx, 595/596, bad answers) are
 * retried so that a running backup never turns into an error; a 4xx or an auth failure is not
 * transient. Aborting the signal rejects with an AbortError and does nothing on PVE.
 */
export async function followTask(api: Pick<PveApi, "taskStatus">, upid: string, options: FollowOptions = {}): Promise<TaskOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const { signal } = options;
  const started = now();
  let interval = 0;

  for (;;) {
    throwIfAborted(signal);
    try {
      const status = await abortable(api.taskStatus(upid), signal);
      if (status.status === "stopped") {
        const exitstatus = status.exitstatus ?? "unexpected status";
        return { ok: isTaskSuccess(exitstatus), exitstatus };
      }
    } catch (error) {
      if (isAbortError(error) || !isTransient(error)) throw error;
      options.onTransientError?.(error);
    }
    interval = pollInterval(now() - started, interval);
    throwIfAborted(signal);
    try {
      await sleep(interval, signal);
    } catch (error) {
      throwIfAborted(signal);
      throw error;
    }
  }
}

function isTransient(error: unknown): boolean {
  if (error instanceof PveAuthError || error instanceof PveClosedError) return false;
  if (error instanceof PveHttpError) return error.status >= 500 || error.status === 429 || error.status === 408;
  return error instanceof PveError;
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("following the task was aborted", "AbortError");
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
