import { readFileSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { missingRuntimeFlags } from "../../src/relaunch.js";
import { RUNTIME_FLAGS } from "../../src/runtime.js";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator } from "../../src/sim/index.js";
import { Observer, SIM_PASSWORD, SIM_USER } from "../e2e/harness.js";
import { CLI, killAll, spawnNode, type Spawned } from "./spawn.js";

const children: Spawned[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await killAll(children);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Command lines of the live children of `pid`, read from /proc. */
function childCommandLines(pid: number): string[][] {
  const lines: string[][] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) lines.push(readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").filter(Boolean));
    } catch {
      // the process ended meanwhile
    }
  }
  return lines;
}

describe("missingRuntimeFlags", () => {
  it("asks for every flag when none is given", () => {
    expect(missingRuntimeFlags([], undefined)).toEqual([...RUNTIME_FLAGS]);
  });

  it("keeps the user's own value of a flag, given on the command line or in NODE_OPTIONS, in either spelling", () => {
    expect(missingRuntimeFlags(["--heap-growing-percent=70"], "--max_semi_space_size=8")).toEqual(["--liftoff-only", "--no-concurrent-recompilation"]);
    // a flag turned on by the user stays theirs: `--concurrent-recompilation` is the same flag as its `--no-` form
    expect(missingRuntimeFlags(["--concurrent-recompilation", "--liftoff-only"], "--max_semi_space_size=8 --heap-growing-percent=70")).toEqual([]);
    expect(missingRuntimeFlags([...RUNTIME_FLAGS], "")).toEqual([]);
  });
});

// Reads /proc (Linux, as on every machine this project runs on: CI, Docker, the systemd host).
describe("node dist/cli.js run without flags", () => {
  it("runs the daemon in a child that has the runtime flags; SIGTERM is passed on and the exit code comes back", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    cleanups.push(() => broker.close());
    const observer = await Observer.connect(broker.url, ["pve2mqtt/bridge/state"]);
    cleanups.push(() => observer.close());
    const daemon = spawnNode(CLI, ["run"], {
      env: {
        PVE2MQTT_PROXMOX__HOSTS: sim.urls.join(","),
        PVE2MQTT_PROXMOX__USER: SIM_USER,
        PVE2MQTT_PROXMOX__PASSWORD: SIM_PASSWORD,
        PVE2MQTT_PROXMOX__FINGERPRINT: sim.fingerprint,
        PVE2MQTT_MQTT__URL: broker.url,
      },
    });
    children.push(daemon);
    await observer.waitFor("pve2mqtt/bridge/state", (p) => p === "online", 15_000);
    const relaunched = childCommandLines(daemon.child.pid!);
    expect(relaunched).toHaveLength(1);
    expect(relaunched[0]).toEqual(expect.arrayContaining([...RUNTIME_FLAGS, CLI, "run"]));

    const since = observer.messages.length;
    daemon.child.kill("SIGTERM");
    expect(await daemon.exited).toEqual({ code: 0, signal: null });
    await observer.waitFor("pve2mqtt/bridge/state", (p) => p === "offline", 2000, since);
  });

  it("passes the child's exit code on (a bad config: 2)", async () => {
    const bad = spawnNode(CLI, ["run"], { env: { PVE2MQTT_PROXMOX__HOSTS: "" } });
    children.push(bad);
    expect(await bad.exited).toEqual({ code: 2, signal: null });
    expect(bad.output()).toMatch(/invalid configuration/);
  });

  it("stops the daemon when its parent is killed outright", async () => {
    const sim = await PveSimulator.start({ authFailureDelayMs: 20 });
    cleanups.push(() => sim.stop());
    const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    cleanups.push(() => broker.close());
    const observer = await Observer.connect(broker.url, ["pve2mqtt/bridge/state"]);
    cleanups.push(() => observer.close());
    const daemon = spawnNode(CLI, [], {
      env: {
        PVE2MQTT_PROXMOX__HOSTS: sim.urls[0]!,
        PVE2MQTT_PROXMOX__USER: SIM_USER,
        PVE2MQTT_PROXMOX__PASSWORD: SIM_PASSWORD,
        PVE2MQTT_PROXMOX__FINGERPRINT: sim.fingerprint,
        PVE2MQTT_MQTT__URL: broker.url,
      },
    });
    children.push(daemon);
    await observer.waitFor("pve2mqtt/bridge/state", (p) => p === "online", 15_000);
    const since = observer.messages.length;
    daemon.child.kill("SIGKILL");
    // The orphan notices within a second and stops cleanly: it publishes offline itself.
    await observer.waitFor("pve2mqtt/bridge/state", (p) => p === "offline", 5000, since);
  });
});

describe("node with the flags already given", () => {
  it("runs in the same process (no relaunch)", async () => {
    const direct = spawnNode(CLI, ["--version"], { nodeArgs: [...RUNTIME_FLAGS] });
    children.push(direct);
    expect(await direct.exited).toEqual({ code: 0, signal: null });
    expect(direct.output().trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
