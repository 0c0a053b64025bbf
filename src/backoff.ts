import { setTimeout as delay } from "node:timers/promises";

/** 1 s, 2 s, 4 s … capped at `maxSeconds`: quick while a service is starting, gentle while it is down. */
export function backoffDelay(attempt: number, maxSeconds: number): number {
  return Math.min(maxSeconds, 2 ** Math.min(attempt, 10)) * 1000;
}

/** Waits `ms`, or less when `signal` aborts meanwhile; never rejects. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

/** The promise's value, or false when it takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
