import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../e2e/harness.js";
import { writes } from "./helpers.js";

type Result = { id: unknown; action: unknown; status: string; error?: string | null };

/** The only write paths CONTRACT section 6 allows for guests 100 (qemu, pve1) and 200 (lxc, pve1). */
const ALLOWED_PATH = /^\/nodes\/pve1\/(qemu\/100|lxc\/200)\/(status\/(start|stop|shutdown|reboot|suspend|resume)|snapshot)$|^\/nodes\/pve1\/vzdump$/;
const ALLOWED_BODY_KEYS = new Set([
  "timeout", "forceStop", "todisk", "snapname", "description", "vmstate",
  "vmid", "storage", "mode", "compress", "mailto", "mailnotification", "remove", "notes-template", "protected",
]);

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sim: { taskDurationMs: 100 }, config: { commands: { node_power: false } } });
});
afterAll(async () => {
  await h?.stop();
});

async function send(topic: string, payload: string): Promise<Result | null> {
  const since = h.observer.messages.length;
  await h.observer.publish(topic, payload);
  const resultTopic = topic.replace(/\/set$/, "/result");
  try {
    return await h.observer.waitForJson<Result>(resultTopic, (r) => r.status !== "started", 5000, since);
  } catch {
    return null;
  }
}

describe("commands can only do what CONTRACT section 6 lists", () => {
  const refused: Array<[string, string]> = [
    ["qemu/100", '{"action":"backup","storage":"../../etc"}'],
    ["qemu/100", '{"action":"backup","storage":"nas/../../etc"}'],
    ["qemu/100", '{"action":"backup","storage":"nas?storage=local"}'],
    ["qemu/100", '{"action":"backup","storage":"nas&remove=1"}'],
    ["qemu/100", '{"action":"backup","options":"storage=nas&remove=1"}'],
    ["qemu/100", '{"action":"backup","options":"storage=nas\\nvmid=101"}'],
    ["qemu/100", '{"action":"backup","options":"storage=nas vmid=101"}'],
    ["qemu/100", '{"action":"backup","vmid":"101"}'],
    ["qemu/100", '{"action":"backup","all":1}'],
    ["qemu/100", '{"action":"backup","mode":"stop&remove=1"}'],
    ["qemu/100", '{"action":"backup","compress":"zstd\\nremove=1"}'],
    ["qemu/100", '{"action":"backup","storage":"nas","notes":"line\\nremove=1"}'],
    ["qemu/100", '{"action":"snapshot","name":"a/b"}'],
    ["qemu/100", '{"action":"snapshot","name":"../../x"}'],
    ["qemu/100", '{"action":"snapshot","name":"x?y=1"}'],
    ["qemu/100", '{"action":"snapshot","name":"a&b=c"}'],
    ["qemu/100", '{"action":"snapshot","name":"new\\nline"}'],
    ["qemu/100", '{"action":"snapshot","name":"ok","snapname":"evil"}'],
    ["qemu/100", '{"action":"start","node":"pve2"}'],
    ["qemu/100", '{"action":"start","vmid":101}'],
    ["qemu/100", '{"action":"stop","path":"/nodes/pve1/qemu/101/status/stop"}'],
    ["qemu/100", "start?node=pve2"],
    ["qemu/100", "start&stop"],
    ["qemu/100", "../stop"],
    ["qemu/100", "stop\nreboot"],
    ["node/pve1", "reboot"],
    ["node/pve1", '{"action":"stopall"}'],
    ["node/pve1", '{"action":"start","vmid":100}'],
    ["storage/pve1/local", "start"],
    ["bridge", "stop"],
  ];
  it.each(refused.map(([device, payload]) => ({ device, payload })))("refuses $device ← $payload without a PVE write", async ({ device, payload }) => {
    const before = writes(h).length;
    const result = await send(`${h.base}/${device}/set`, payload);
    // The error result ends the command's handling: a write it made would already be in the simulator's log.
    expect(result?.status).toBe("error");
    expect(writes(h).slice(before)).toEqual([]);
  });

  const topics = [
    `qemu/100%2f..%2f`,
    `qemu/100%2F..%2F101`,
    `qemu/100..`,
    `qemu/%31%30%30`,
    `node/..%2F`,
    `node/..`,
    `node/pve1%2f..%2fpve2`,
    `storage/pve1/..%2f..%2fetc`,
    `storage/..%2f/local`,
    `lxc/200%00`,
  ];
  it.each(topics)("a topic with path injection (%s) reaches nothing in PVE", async (device) => {
    const before = h.sim.requests.length;
    const result = await send(`${h.base}/${device}/set`, '{"action":"stop","id":"inj"}');
    expect(result?.status).toBe("error");
    const reached = h.sim.requests.slice(before).filter((r) => r.path !== "/access/ticket");
    // Only the regular polls' reads may have happened meanwhile, never a write or a path built from the topic.
    expect(reached.filter((r) => r.method !== "GET")).toEqual([]);
    for (const request of reached) expect(request.path).not.toMatch(/\.\.|%|\0/);
  });

  it("free text (a description with /, ?, & and newlines, notes) goes as one form value, never as a path or extra parameter", async () => {
    const before = h.sim.requests.length;
    const description = "before & after?\nstorage=../../etc&vmid=101 / done";
    const snapshot = await send(`${h.base}/qemu/100/set`, JSON.stringify({ action: "snapshot", name: "safe_name", description, id: "d" }));
    expect(snapshot?.status).toBe("ok");
    const notes = "weekly {{guestname}} & co? remove=1 / ../../etc";
    const backup = await send(`${h.base}/lxc/200/set`, JSON.stringify({ action: "backup", storage: "nas", notes, id: "n" }));
    expect(backup?.error ?? null).toBeNull();
    expect(backup?.status).toBe("ok");

    const posted = h.sim.requests.slice(before).filter((r) => r.method === "POST" && r.path !== "/access/ticket");
    expect(posted.map((r) => r.path)).toEqual(["/nodes/pve1/qemu/100/snapshot", "/nodes/pve1/vzdump"]);
    expect(posted[0]!.body).toEqual({ snapname: "safe_name", description });
    expect(posted[1]!.body).toMatchObject({ vmid: "200", storage: "nas", "notes-template": notes });
    expect(posted[1]!.body.remove).not.toBe("1");
    for (const request of posted) expect(request.query).toEqual({});
  });

  it("over the whole run, every write went to an allowed path with allowed parameters only", () => {
    const all = writes(h);
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const request of all) {
      expect(request.path).toMatch(ALLOWED_PATH);
      for (const key of Object.keys(request.body)) expect(ALLOWED_BODY_KEYS.has(key), `${request.path} got ${key}`).toBe(true);
      expect(Object.keys(request.query)).toEqual([]);
    }
  });
});
