import { describe, expect, it } from "vitest";
import { PveAuthError, PveClosedError, PveHttpError, PveUnreachableError } from "../../src/pve/errors.js";
import { followTask, isTaskSuccess, parseUpid, pollInterval } from "../../src/pve/tasks.js";
import type { TaskStatus } from "../../src/pve/schemas.js";
import { waitFor } from "../mqtt/helpers.js";

const UPID = "UPID:pve2:0000A1B2:0001C3D4:66A0F00D:vzdump:100:root@pam:";

describe("parseUpid", () => {
  it("reads every field", () => {
    expect(parseUpid(UPID)).toEqual({ node: "pve2", pid: 0xa1b2, starttime: 0x66a0f00d, type: "vzdump", id: "100", user: "root@pam" });
  });

  it("accepts an empty id and a token user", () => {
    const upid = parseUpid("UPID:pve1:00001234:000ABCDEF:66A0F00D:startall::pve2mqtt@pve!bridge:");
    expect(upid.id).toBe("");
    expect(upid.user).toBe("pve2mqtt@pve!bridge");
    expect(upid.type).toBe("startall");
  });

  it.each(["", "OK", "UPID:pve1:1234:5678:66A0F00D:qmstart:100:root@pam:", "UPID:pve1:00001234:0001C3D4:66A0F00D:qmstart:100:root@pam"])(
    "refuses %j",
    (text) => {
      expect(() => parseUpid(text)).toThrow(/not a PVE task id/);
    },
  );
});

describe("isTaskSuccess", () => {
  it.each([
    ["OK", true],
    ["WARNINGS: 2", true],
    ["VM is locked (backup)", false],
    ["unexpected status", false],
    ["job errors", false],
  ])("%s → %s", (exit, ok) => {
    expect(isTaskSuccess(exit)).toBe(ok);
  });
});

describe("pollInterval", () => {
  it("polls fast first, then slower, and never past 15 s", () => {
    expect(pollInterval(0, 0)).toBe(250);
    expect(pollInterval(9_999, 250)).toBe(250);
    expect(pollInterval(10_000, 250)).toBe(1000);
    expect(pollInterval(119_000, 1000)).toBe(1000);
    expect(pollInterval(120_000, 1000)).toBe(5000);
    let interval = 5000;
    for (let i = 0; i < 20; i += 1) interval = pollInterval(600_000, interval);
    expect(interval).toBe(15_000);
  });
});

/** A fake clock that the fake sleep advances: following hours of task takes no real time. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function running(): TaskStatus {
  return { upid: UPID, status: "running" };
}

describe("followTask", () => {
  it("polls until the task stops and reports its exit status", async () => {
    const time = fakeTime();
    const answers: TaskStatus[] = [running(), running(), { upid: UPID, status: "stopped", exitstatus: "WARNINGS: 1" }];
    const asked: string[] = [];
    const result = await followTask(
      {
        taskStatus: async (upid) => {
          asked.push(upid);
          return answers.shift()!;
        },
      },
      UPID,
      time,
    );
    expect(result).toEqual({ ok: true, exitstatus: "WARNINGS: 1" });
    expect(asked).toEqual([UPID, UPID, UPID]);
    expect(time.sleeps).toEqual([250, 250]);
  });

  it("reports a failed task as not ok with PVE's text", async () => {
    const time = fakeTime();
    const result = await followTask(
      { taskStatus: async () => ({ upid: UPID, status: "stopped", exitstatus: "snapshot feature is not available" }) },
      UPID,
      time,
    );
    expect(result).toEqual({ ok: false, exitstatus: "snapshot feature is not available" });
  });

  it("backs off over a long task: a 3 h backup takes under 1000 polls", async () => {
    const time = fakeTime();
    const start = time.now();
    let polls = 0;
    const result = await followTask(
      {
        taskStatus: async () => {
          polls += 1;
          return time.now() - start < 3 * 3600_000 ? running() : { upid: UPID, status: "stopped", exitstatus: "OK" };
        },
      },
      UPID,
      time,
    );
    expect(result.ok).toBe(true);
    expect(polls).toBeLessThan(1000);
    expect(Math.max(...time.sleeps)).toBe(15_000);
    expect(Math.min(...time.sleeps)).toBe(250);
  });

  it("retries transient errors instead of failing the task", async () => {
    const time = fakeTime();
    const transient = [
      new PveUnreachableError([{ origin: "https://a:8006", reason: "ECONNREFUSED" }]),
      new PveHttpError(595, "Errors during connection establishment", "/nodes/pve2/tasks/x/status"),
      new PveHttpError(503, "busy", "/x"),
    ];
    const seen: unknown[] = [];
    const result = await followTask(
      {
        taskStatus: async () => {
          const error = transient.shift();
          if (error) throw error;
          return { upid: UPID, status: "stopped", exitstatus: "OK" };
        },
      },
      UPID,
      { ...time, onTransientError: (error) => seen.push(error) },
    );
    expect(result).toEqual({ ok: true, exitstatus: "OK" });
    expect(seen).toHaveLength(3);
  });

  it.each([
    ["a 400", new PveHttpError(400, "no such task", "/x", { upid: "no such task" })],
    ["an auth failure", new PveAuthError("authentication failure")],
    ["a closed client", new PveClosedError()],
  ])("gives up on %s", async (_label, error) => {
    const time = fakeTime();
    await expect(
      followTask(
        {
          taskStatus: async () => {
            throw error;
          },
        },
        UPID,
        time,
      ),
    ).rejects.toBe(error);
  });

  it("rejects with an AbortError when aborted while waiting, and asks nothing more", async () => {
    const controller = new AbortController();
    let polls = 0;
    // Waits that end when the test says (or reject when the signal aborts, as the real sleep does).
    const waits: Array<() => void> = [];
    const sleep = (_ms: number, signal?: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        waits.push(resolve);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    const following = followTask(
      {
        taskStatus: async () => {
          polls += 1;
          return running();
        },
      },
      UPID,
      { signal: controller.signal, sleep },
    );
    await waitFor(() => waits.length === 1, "the wait after the first status");
    controller.abort();
    await expect(following).rejects.toMatchObject({ name: "AbortError" });
    const pollsAtAbort = polls;
    // The wait ends as it would have: still nothing more is asked.
    waits[0]!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(polls).toBe(pollsAtAbort);
    expect(waits).toHaveLength(1);
  });

  it("rejects at once when aborted during a status call that never answers", async () => {
    const controller = new AbortController();
    const following = followTask({ taskStatus: () => new Promise<TaskStatus>(() => undefined) }, UPID, { signal: controller.signal });
    controller.abort();
    await expect(following).rejects.toMatchObject({ name: "AbortError" });
  });
});
