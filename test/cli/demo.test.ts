import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startDemo } from "../../src/demo.js";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { Observer } from "../e2e/harness.js";
import { CLI, killAll, spawnNode, waitForOutput, type Spawned } from "./spawn.js";

const children: Spawned[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await killAll(children);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function usersBroker(): Promise<{ broker: EmbeddedBroker; observer: Observer }> {
  const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
  cleanups.push(() => broker.close());
  const observer = await Observer.connect(broker.url, ["#"]);
  cleanups.push(() => observer.close());
  return { broker, observer };
}

describe("pve2mqtt demo on the user's broker", () => {
  it.each([
    ["--mqtt URL", (url: string) => ({ args: ["demo", "--mqtt", url], env: {} })],
    ["PVE2MQTT_MQTT__URL", (url: string) => ({ args: ["demo"], env: { PVE2MQTT_MQTT__URL: url } })],
  ])("with %s publishes there, starts no embedded broker and says so; removes its config on exit", async (_how, invocation) => {
    const { broker, observer } = await usersBroker();
    const { args, env } = invocation(broker.url);
    const demo = spawnNode(CLI, args, { env });
    children.push(demo);
    await waitForOutput(demo, /no embedded broker started/, 20_000);
    expect(demo.output()).toContain(`publishing to YOUR broker ${broker.url}`);
    expect(demo.output()).not.toMatch(/embedded MQTT broker on/);
    expect(await observer.waitFor("pve2mqtt_demo/bridge/state", (p) => p === "online", 10_000)).toBe("online");
    expect(await observer.waitForJson("pve2mqtt_demo/qemu/100", () => true, 5000)).toMatchObject({ vmid: 100, type: "qemu" });
    await observer.waitForTopic((t) => t.startsWith("homeassistant/") && t.includes("/pve2mqtt_demo/"), 5000);
    // Nothing under the real bridge's base topic: a demo button must not command a real guest.
    expect(observer.topics("pve2mqtt/")).toEqual([]);
    const configPath = /The generated config \(removed on exit\): (\S+)/.exec(demo.output())![1]!;
    expect(existsSync(configPath)).toBe(true);
    demo.child.kill("SIGINT");
    expect((await demo.exited).code).toBe(0);
    expect(existsSync(configPath)).toBe(false);
  });

  it("runs no broker of its own; the user's base topic and log settings apply, the PVE ones do not", async () => {
    const { broker, observer } = await usersBroker();
    const demo = await startDemo({
      mqttUrl: broker.url,
      mqttPort: 0,
      env: { PVE2MQTT_MQTT__BASE_TOPIC: "trial", PVE2MQTT_PROXMOX__HOSTS: "192.0.2.1", PVE2MQTT_LOG__LEVEL: "silent" },
    });
    cleanups.push(() => demo.stop());
    expect(demo.bridge.brokerUrl).toBeNull();
    expect(demo.external).toBe(true);
    expect(demo.baseTopic).toBe("trial");
    expect(await observer.waitFor("trial/bridge/state", (p) => p === "online", 10_000)).toBe("online");
    const info = await observer.waitForJson("trial/bridge/info", () => true, 5000);
    expect(info).toMatchObject({ cluster: "demo", connected_host: demo.sim.urls[0] });
  });
});

describe("pve2mqtt demo on the embedded broker", () => {
  it("removes its generated config when stopped", async () => {
    const demo = await startDemo({ mqttPort: 0, logLevel: "silent" });
    expect(demo.external).toBe(false);
    expect(demo.brokerUrl).toBe(demo.bridge.brokerUrl);
    expect(existsSync(demo.configPath)).toBe(true);
    await demo.stop();
    expect(existsSync(demo.configPath)).toBe(false);
  });
});
