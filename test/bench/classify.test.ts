import { readFileSync } from "node:fs";
import { load } from "js-yaml";
import { afterAll, describe, expect, it } from "vitest";
import { BenchDirectory, writeBridgeConfig } from "../../src/bench/config.js";
import { peakRssMb, privateMb, processTree, treeMemory } from "../../src/bench/process-memory.js";
import { exactly, info } from "../../src/bench/report.js";
import { coreRequests, detailRequests, logReads } from "../../src/bench/rig.js";
import type { SimProcess, SimStats } from "../../src/bench/sim-process.js";

const stats = (byPath: Record<string, number>): SimStats => ({
  requests: Object.values(byPath).reduce((a, b) => a + b, 0),
  logins: 0, renewals: 0, failed: 0, byStatus: {}, byPath, tlsConnections: 0, cpuMicros: 0,
});

describe("bench request classes", () => {
  it("counts the core poll (3 + N and /version) apart from detail reads and writes", () => {
    const poll = stats({
      "GET /cluster/resources": 1,
      "GET /cluster/status": 1,
      "GET /cluster/tasks": 1,
      "GET /version": 1,
      "GET /nodes/pve1/status": 1,
      "GET /nodes/pve2/status": 1,
      "GET /nodes/pve1/qemu/100/agent/network-get-interfaces": 2,
      "GET /nodes/pve1/disks/list": 1,
      "GET /nodes/pve1/apt/update": 1,
      "GET /nodes/pve1/qemu/100/status/current": 1,
      "POST /access/ticket": 1,
    });
    expect(coreRequests(poll)).toBe(6);
    expect(detailRequests(poll)).toBe(5);
  });

  it("counts vzdump task log reads, on any node, apart from the task's status and the node's task list", () => {
    const upid = "UPID:pve2:00002A00:00000000:66000000:vzdump::root@pam:";
    const poll = stats({
      "GET /cluster/tasks": 1,
      [`GET /nodes/pve2/tasks/${upid}/log`]: 1,
      "GET /nodes/pve11/tasks/UPID:pve11:00002A01:00000000:66000001:vzdump:101:root@pam:/log": 2,
      [`GET /nodes/pve2/tasks/${upid}/status`]: 1,
      "GET /nodes/pve2/tasks": 1,
      "GET /nodes/pve2/storage/nas/content": 1,
    });
    expect(logReads(poll)).toBe(3);
    expect(detailRequests(poll)).toBe(6);
  });

  it("passes an exact count only when it is reached", () => {
    expect(exactly("3 nodes / 30 guests", "outcomes on MQTT", 4, 4)).toMatchObject({ target: "= 4", pass: true });
    expect(exactly("3 nodes / 30 guests", "outcomes on MQTT", 3, 4).pass).toBe(false);
    expect(exactly("3 nodes / 30 guests", "started with IPs", 5, 4, "= 4 started")).toMatchObject({ target: "= 4 started", pass: false });
  });

  it("reports a figure without a target as passing", () => {
    expect(info("3 nodes / 30 guests", "simulator CPU per poll (ms)", 7.519)).toEqual({ size: "3 nodes / 30 guests", figure: "simulator CPU per poll (ms)", value: 7.52, target: "(reported)", pass: true });
  });
});

describe("bench bridge config", () => {
  const directory = new BenchDirectory();
  afterAll(() => directory.remove());
  const sim = { info: { urls: ["https://127.0.0.1:1"], fingerprint: "AB:CD", users: { "pve2mqtt@pve": "pw" } } } as unknown as SimProcess;

  it("driven polls: the interval never fires and details.* give the default cadence of a 30 s interval (IPs every 60 polls, refresh every 720)", () => {
    const raw = load(readFileSync(writeBridgeConfig(directory.path("driven.yaml"), sim, "mqtt://127.0.0.1:1"), "utf8")) as {
      poll: { interval: number };
      details: { ips: number; refresh: number };
    };
    expect(raw.poll.interval).toBe(86_400);
    expect(raw.details.ips / raw.poll.interval).toBe(60);
    expect(raw.details.refresh / raw.poll.interval).toBe(720);
  });

  it("timed polls keep the details defaults", () => {
    const raw = load(readFileSync(writeBridgeConfig(directory.path("timed.yaml"), sim, "mqtt://127.0.0.1:1", { intervalS: 2 }), "utf8")) as Record<string, unknown>;
    expect(raw.poll).toEqual({ interval: 2 });
    expect(raw.details).toBeUndefined();
  });
});

describe("bench process memory (Linux /proc)", () => {
  it("reads this process's tree, peak, private and summed memory", () => {
    const tree = processTree(process.pid);
    expect(tree[0]).toBe(process.pid);
    const peak = peakRssMb(process.pid);
    const rssNow = process.memoryUsage().rss / 1e6;
    expect(peak).toBeGreaterThanOrEqual(rssNow * 0.9);
    expect(privateMb(process.pid)).toBeGreaterThan(0);
    expect(privateMb(process.pid)).toBeLessThanOrEqual(peak);
    const now = treeMemory([process.pid]);
    expect(now.rssMb).toBeGreaterThan(0);
    expect(now.pssMb).toBeLessThanOrEqual(now.rssMb);
  });

  it("reads a process that is gone as nothing", () => {
    expect(peakRssMb(2 ** 22 + 12345)).toBe(0);
    expect(processTree(2 ** 22 + 12345)).toEqual([2 ** 22 + 12345]);
  });
});
