import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeProcess } from "../../src/bench/bridge-process.js";
import { silentLogger } from "../../src/log.js";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../src/mqtt/embedded.js";
import { PveSimulator } from "../../src/sim/index.js";
import { startBridgeProcess } from "./bridge-process.js";
import { sleep } from "../e2e/harness.js";

const TOTAL = 10_000;
/** Payloads before the first reading: JIT, allocator and V8's page pools settle first. */
const WARM_UP = 4_000;
const MIB = 1024 * 1024;

/** A small deterministic PRNG (mulberry32): the same hostile payloads on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ (t + t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INJECTIONS = [
  "../../etc", "..%2f..%2fetc", "a/b", "x?y=1", "a&b=c", "line\nbreak", "semi;colon", "$(reboot)", "`id`", "' OR 1=1 --",
  "%00", "\u0000", "storage=nas&remove=1", "nas\nmode=stop", "<script>", "{{7*7}}", "${jndi:ldap://x}", "\u202e", "🙂", " ",
];
const ACTIONS = ["start", "stop", "shutdown", "reboot", "suspend", "resume", "snapshot", "backup", "refresh", "startall", "stopall"];
const POLLUTION = ["__proto__", "constructor", "prototype", "__defineGetter__", "hasOwnProperty", "toString"];

/**
 * Payloads that must all be refused: each has at least one thing no valid command has (an unknown
 * key, a wrong type, an invalid name or storage, a forbidden node action, bad JSON, binary…).
 */
function hostilePayload(random: () => number, index: number): { topic: string; payload: Buffer } {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const guest = pick(["qemu/100", "qemu/101", "lxc/200", "qemu/100", "lxc/201"]);
  const injection = pick(INJECTIONS);
  const action = pick(ACTIONS.filter((a) => a !== "refresh"));
  const kind = index % 14;
  let body: string | Buffer;
  let device = guest;
  switch (kind) {
    case 0: // binary
      body = Buffer.from(Array.from({ length: 1 + Math.floor(random() * 512) }, () => Math.floor(random() * 256)));
      break;
    case 1: // a huge string (1 MB for some, 70 kB for the rest: both above the payload limit)
      body = index % 1000 === 1 ? `{"action":"start","name":"${"A".repeat(MIB)}"}` : "start".padEnd(70_000, " x");
      break;
    case 2: // deep JSON
      body = `${'{"a":'.repeat(50 + Math.floor(random() * 5000))}1${"}".repeat(0)}`;
      break;
    case 3: // deep but well-formed
      body = JSON.stringify({ action: action, nested: JSON.parse(`${"[".repeat(40)}1${"]".repeat(40)}`) });
      break;
    case 4: // prototype pollution
      body = `{"action":"${action}","${pick(POLLUTION)}":{"polluted":true,"isAdmin":1}}`;
      break;
    case 5: // injection in a snapshot name
      body = JSON.stringify({ action: "snapshot", name: `snap${injection}` });
      break;
    case 6: // injection in a storage
      body = JSON.stringify({ action: "backup", storage: injection });
      break;
    case 7: // injection in Jeedom's options string
      body = JSON.stringify({ action: "backup", options: `storage=${injection.replace(/\s/g, "")}x evil=1` });
      break;
    case 8: // an unknown action word with injection
      body = `${action}${injection}x`;
      break;
    case 9: // wrong types
      body = JSON.stringify({ action, timeout: pick(["soon", -1, 1e12, true, [], {}, null, "1; reboot"]), force_stop: "yes" });
      break;
    case 10: // a node action while node_power is off, or on a node that does not exist
      device = pick(["node/pve1", "node/..%2F", "node/pve1%2f..%2f"]);
      body = pick(["reboot", "shutdown", '{"action":"stopall"}', '{"action":"startall","id":"x"}']);
      break;
    case 11: // vmid injection in the topic
      device = pick(["qemu/100%2f..%2f", "qemu/0", "qemu/-1", "lxc/1e3", "qemu/99999999999", "qemu/100;", "lxc/abc"]);
      body = action;
      break;
    case 12: // invalid UTF-8 and control characters
      body = Buffer.concat([Buffer.from('{"action":"start","id":"'), Buffer.from([0xff, 0xfe, 0x00, 0x1b]), Buffer.from('"}')]);
      break;
    default: // random JSON noise with an unknown key
      body = JSON.stringify({ action, [`k${Math.floor(random() * 1e6)}${injection}`]: random() });
  }
  return { topic: `pve2mqtt/${device}/set`, payload: Buffer.isBuffer(body) ? body : Buffer.from(body) };
}

/**
 * The bridge runs in a process of its own, started the way it ships (the runtime V8 flags), so the
 * RSS measured is the daemon's: not the test's broker, simulator and fuzzing client.
 */
describe("10,000 random and hostile /set payloads", () => {
  let sim: PveSimulator;
  let broker: EmbeddedBroker;
  let bridge: BridgeProcess;
  let stopBridge: (() => Promise<void>) | undefined;
  const writes = () => sim.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket");

  beforeAll(async () => {
    sim = await PveSimulator.start({ authFailureDelayMs: 20, taskDurationMs: 100 });
    broker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silentLogger() });
    ({ bridge, stop: stopBridge } = await startBridgeProcess(sim, broker.url, { poll: { interval: 1 } }));
  });
  afterAll(async () => {
    await stopBridge?.();
    await broker?.close();
    await sim?.stop();
  });

  it("no crash, no PVE write, every one answered, RSS grows by less than 10 MB", { timeout: 60_000 }, async () => {
    const client = await mqtt.connectAsync(broker.url, { clientId: "fuzzer" });
    let results = 0;
    let errors = 0;
    client.on("message", (_topic, payload) => {
      results++;
      if ((JSON.parse(payload.toString("utf8")) as { status: string }).status === "error") errors++;
    });
    await client.subscribeAsync(["pve2mqtt/+/+/result", "pve2mqtt/storage/+/+/result"], { qos: 0 });
    const random = prng(20240611);
    const writesBefore = writes().length;
    let sent = 0;

    const send = async (count: number) => {
      for (let i = 0; i < count; i += 50) {
        const batch = Array.from({ length: Math.min(50, count - i) }, () => hostilePayload(random, sent++));
        await Promise.all(batch.map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })));
      }
      const deadline = Date.now() + 30_000;
      while (results < sent && Date.now() < deadline) await sleep(20);
    };

    await send(WARM_UP);
    const afterWarmUp = await bridge.memory();
    await send(TOTAL - WARM_UP);
    const afterRun = await bridge.memory();
    const rssAfterWarmUp = afterWarmUp.rssMb;
    const rssAfterRun = afterRun.rssMb;
    await client.endAsync();

    expect(sent).toBe(TOTAL);
    // Every payload was answered with an error (none taken for a command).
    expect(results).toBe(TOTAL);
    expect(errors).toBe(TOTAL);
    expect(writes().slice(writesBefore)).toEqual([]);
    expect(await bridge.prototypePolluted()).toBe(false);
    // 10 MB, in the decimal megabytes of the target.
    const growth = rssAfterRun - rssAfterWarmUp;
    expect(growth, `the bridge's RSS grew by ${growth.toFixed(1)} MB`).toBeLessThan(10);

    // Still alive and well: a refresh is answered and a valid command runs.
    const check = await mqtt.connectAsync(broker.url, { clientId: "after-fuzz" });
    try {
      const answers: string[] = [];
      check.on("message", (_t, p) => answers.push(p.toString("utf8")));
      await check.subscribeAsync("pve2mqtt/qemu/100/result", { qos: 1 });
      await check.publishAsync("pve2mqtt/qemu/100/set", '{"action":"snapshot","name":"after_fuzz","id":"ok"}', { qos: 1 });
      const deadline = Date.now() + 10_000;
      while (!answers.some((a) => a.includes('"status":"ok"')) && Date.now() < deadline) await sleep(20);
      expect(answers.some((a) => a.includes('"status":"ok"'))).toBe(true);
      expect(sim.guest(100)!.snapshots).toContain("after_fuzz");
    } finally {
      await check.endAsync();
    }
  });
});
