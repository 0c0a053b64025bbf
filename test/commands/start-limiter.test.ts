import { describe, expect, it } from "vitest";
import { refreshUntil } from "../../src/commands/ha-follow-up.js";
import { StartLimiter } from "../../src/commands/start-limiter.js";

describe("StartLimiter", () => {
  it("lets perSecond callers through at once and queues the next in order", async () => {
    let clock = 0;
    const limiter = new StartLimiter(2, () => clock);
    const signal = new AbortController().signal;
    const order: number[] = [];
    await limiter.take(signal).then(() => order.push(1));
    await limiter.take(signal).then(() => order.push(2));
    const third = limiter.take(signal).then(() => order.push(3));
    const fourth = limiter.take(signal).then(() => order.push(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([1, 2]);
    clock = 1000;
    await Promise.all([third, fourth]);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it("rejects a waiting caller when the signal aborts, and keeps serving others", async () => {
    const limiter = new StartLimiter(1, () => 0);
    const stopping = new AbortController();
    await limiter.take(stopping.signal);
    const waiting = limiter.take(stopping.signal);
    stopping.abort();
    await expect(waiting).rejects.toThrow();
    await expect(limiter.take(stopping.signal)).rejects.toThrow();
  });
});

describe("refreshUntil", () => {
  it("refreshes until the expected status comes back", async () => {
    const statuses = ["stopped", "stopped", "running"];
    let calls = 0;
    const matched = await refreshUntil(async () => statuses[calls++] ?? null, "running", new AbortController().signal, { intervalMs: 5, timeoutMs: 1000 });
    expect(matched).toBe(true);
    expect(calls).toBe(3);
  });

  it("gives up after the timeout", async () => {
    let calls = 0;
    const matched = await refreshUntil(async () => (calls++, "stopped"), "running", new AbortController().signal, { intervalMs: 10, timeoutMs: 50 });
    expect(matched).toBe(false);
    expect(calls).toBeGreaterThan(1);
  });
});
