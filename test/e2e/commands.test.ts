import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, sleep, type Harness } from "./harness.js";

type Result = { id: unknown; action: unknown; status: string; upid?: string | null; exitstatus?: string | null; error?: string | null; duration?: number | null };

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    sim: { taskDurationMs: 300, haDelayMs: 1500 },
    config: { commands: { backup: { storage: "nas", compress: "zstd", mode: "snapshot" }, node_power: true } },
  });
});
afterAll(async () => {
  await h?.stop();
});
beforeEach(() => {
  h.sim.clearFaults();
});

const posts = () => h.sim.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket");

/** Sends a command and collects results on the device's result topic until a final one arrives. */
async function command(device: string, payload: string, timeoutMs = 10_000): Promise<{ results: Result[]; requests: typeof h.sim.requests }> {
  const since = h.observer.messages.length;
  const before = h.sim.requests.length;
  await h.observer.publish(`${h.base}/${device}/set`, payload);
  const final = await h.observer.waitForJson<Result>(`${h.base}/${device}/result`, (r) => r.status !== "started", timeoutMs, since);
  const results = h.observer.messages
    .slice(since)
    .filter((m) => m.topic === `${h.base}/${device}/result`)
    .map((m) => JSON.parse(m.payload) as Result);
  expect(results.at(-1)).toEqual(final);
  return { results, requests: h.sim.requests.slice(before) };
}

describe("guest actions reach PVE exactly and report two results", () => {
  const cases: Array<{ device: string; payload: string; method: string; path: string; body: Record<string, string> }> = [
    { device: "qemu/105", payload: "start", method: "POST", path: "/nodes/pve3/qemu/105/status/start", body: {} },
    { device: "qemu/105", payload: '{"action":"shutdown","timeout":30,"force_stop":true,"id":"a1"}', method: "POST", path: "/nodes/pve3/qemu/105/status/shutdown", body: { timeout: "30", forceStop: "1" } },
    { device: "qemu/101", payload: '{"action":"reboot","timeout":60}', method: "POST", path: "/nodes/pve1/qemu/101/status/reboot", body: { timeout: "60" } },
    { device: "qemu/101", payload: "stop", method: "POST", path: "/nodes/pve1/qemu/101/status/stop", body: {} },
    { device: "qemu/101", payload: '{"action":"start"}', method: "POST", path: "/nodes/pve1/qemu/101/status/start", body: {} },
    { device: "qemu/101", payload: '{"action":"suspend","todisk":false}', method: "POST", path: "/nodes/pve1/qemu/101/status/suspend", body: { todisk: "0" } },
    { device: "qemu/101", payload: "resume", method: "POST", path: "/nodes/pve1/qemu/101/status/resume", body: {} },
    { device: "qemu/101", payload: '{"action":"snapshot","name":"before_update","description":"pre","vmstate":true}', method: "POST", path: "/nodes/pve1/qemu/101/snapshot", body: { snapname: "before_update", description: "pre", vmstate: "1" } },
    { device: "lxc/203", payload: "start", method: "POST", path: "/nodes/pve1/lxc/203/status/start", body: {} },
    { device: "lxc/203", payload: '{"action":"reboot"}', method: "POST", path: "/nodes/pve1/lxc/203/status/reboot", body: {} },
    { device: "lxc/203", payload: '{"action":"shutdown","timeout":20}', method: "POST", path: "/nodes/pve1/lxc/203/status/shutdown", body: { timeout: "20" } },
    { device: "lxc/200", payload: '{"action":"snapshot","name":"ct-snap"}', method: "POST", path: "/nodes/pve1/lxc/200/snapshot", body: { snapname: "ct-snap" } },
    { device: "lxc/200", payload: "stop", method: "POST", path: "/nodes/pve1/lxc/200/status/stop", body: {} },
    { device: "lxc/200", payload: "start", method: "POST", path: "/nodes/pve1/lxc/200/status/start", body: {} },
  ];
  for (const c of cases) {
    it(`${c.device} ${c.payload}`, async () => {
      const { results, requests } = await command(c.device, c.payload);
      const writes = requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket");
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatchObject({ method: c.method, path: c.path });
      expect(writes[0]!.body).toEqual(c.body);
      expect(results.map((r) => r.status)).toEqual(["started", "ok"]);
      expect(results[0]!.upid).toMatch(/^UPID:/);
      expect(results[1]!.upid).toBe(results[0]!.upid);
      expect(results[1]!.exitstatus).toMatch(/^(OK|WARNINGS: \d+)$/);
      expect(typeof results[1]!.duration).toBe("number");
      const id = c.payload.startsWith("{") ? (JSON.parse(c.payload) as { id?: string }).id ?? null : null;
      expect(results[1]!.id).toBe(id);
    });
  }

  it("flips the state within one second of the task's end and records last_action", async () => {
    const since = h.observer.messages.length;
    const { results } = await command("qemu/105", "stop");
    expect(results.at(-1)!.status).toBe("ok");
    await h.observer.waitForJson(`${h.base}/qemu/105`, (s) => s.status === "stopped", 5000, since);
    const start = Date.now();
    const next = h.observer.messages.length;
    await command("qemu/105", "start");
    const ended = Date.now();
    const state = await h.observer.waitForJson<{ status: string; last_action: Result }>(`${h.base}/qemu/105`, (s) => s.status === "running", 1000, next);
    expect(Date.now() - ended).toBeLessThan(1000);
    expect(state.last_action).toMatchObject({ action: "start", status: "ok" });
    expect(ended - start).toBeGreaterThan(0);
  });

  it("follows an HA-managed guest until PVE shows the change", async () => {
    const since = h.observer.messages.length;
    const { results } = await command("qemu/104", "shutdown");
    expect(results.at(-1)!.status).toBe("ok");
    expect(results[0]!.upid).toContain(":hastop:");
    await h.observer.waitForJson(`${h.base}/qemu/104`, (s) => s.status === "stopped", 30_000, since);
  });

  it("updates the snapshot count after a snapshot", async () => {
    const since = h.observer.messages.length;
    const before = h.sim.guest(200)!.snapshots.length;
    await command("lxc/200", '{"action":"snapshot","name":"count_me"}');
    await h.observer.waitForJson(`${h.base}/lxc/200`, (s) => s.snapshots === before + 1 && s.last_snapshot === "count_me", 5000, since);
  });
});

describe("LXC suspend and resume (CRIU, experimental in PVE)", () => {
  it("suspend reaches PVE and reports the task's failure", async () => {
    const { results, requests } = await command("lxc/1000", "suspend");
    const writes = requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket");
    expect(writes.map((r) => [r.path, r.body])).toEqual([["/nodes/pve2/lxc/1000/status/suspend", {}]]);
    expect(results.map((r) => r.status)).toEqual(["started", "error"]);
    expect(results[1]!.error).toMatch(/CRIU|experimental/);
  });

  it("resume of a running container is refused by PVE, and that refusal is the result", async () => {
    const { results, requests } = await command("lxc/1000", "resume");
    const writes = requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket");
    expect(writes.map((r) => r.path)).toEqual(["/nodes/pve2/lxc/1000/status/resume"]);
    expect(results).toEqual([expect.objectContaining({ action: "resume", status: "error" })]);
    expect(results[0]!.error).toMatch(/running/i);
  });
});

describe("backups", () => {
  it("merges JSON options over the configured defaults", async () => {
    const { results, requests } = await command("qemu/101", '{"action":"backup","mode":"stop","compress":"lzo","mailto":"admin@example.org","notes":"nightly {{guestname}}","protected":true,"remove":0}');
    const vzdump = requests.find((r) => r.path === "/nodes/pve1/vzdump")!;
    expect(vzdump.method).toBe("POST");
    expect(vzdump.body).toEqual({ vmid: "101", storage: "nas", mode: "stop", compress: "lzo", mailto: "admin@example.org", "notes-template": "nightly {{guestname}}", protected: "1", remove: "0" });
    expect(results.map((r) => r.status)).toEqual(["started", "ok"]);
  });

  it("accepts Jeedom's options string with the same whitelist", async () => {
    const { requests } = await command("lxc/200", '{"action":"backup","options":"storage=local mode=suspend compress=gzip mailnotification=failure"}');
    const vzdump = requests.find((r) => r.path === "/nodes/pve1/vzdump")!;
    expect(vzdump.body).toEqual({ vmid: "200", storage: "local", mode: "suspend", compress: "gzip", mailnotification: "failure" });
  });

  it("uses the configured defaults for a bare 'backup' and shows the new backup time", async () => {
    const since = h.observer.messages.length;
    const { requests } = await command("lxc/202", "backup");
    const vzdump = requests.find((r) => r.path === "/nodes/pve3/vzdump")!;
    expect(vzdump.body).toEqual({ vmid: "202", storage: "nas", mode: "snapshot", compress: "zstd" });
    await h.observer.waitForJson(`${h.base}/lxc/202`, (s) => typeof s.last_backup === "string", 5000, since);
  });

  it("retries once on the right node when the guest migrated (vzdump answered OK)", async () => {
    h.sim.migrateGuest(201, "pve3"); // the bridge still believes pve2 until its next poll
    const { results, requests } = await command("lxc/201", "backup");
    const dumps = requests.filter((r) => r.path.endsWith("/vzdump"));
    expect(dumps.map((r) => r.path)).toEqual(["/nodes/pve2/vzdump", "/nodes/pve3/vzdump"].slice(dumps.length === 1 ? 1 : 0));
    expect(results.at(-1)!.status).toBe("ok");
  });
});

describe("failures are reported, never hidden", () => {
  it("a failing task gives an error result with PVE's exit status", async () => {
    h.sim.addGuest({ vmid: 777, kind: "qemu", node: "pve1", name: "nosnap", status: "running", snapshotFeature: false });
    await h.observer.waitFor(`${h.base}/qemu/777`, () => true, 3000);
    const { results } = await command("qemu/777", '{"action":"snapshot","name":"will_fail"}');
    expect(results.map((r) => r.status)).toEqual(["started", "error"]);
    expect(results[1]!.error).toMatch(/snapshot feature is not available/);
  });

  it("a refusal by PVE carries PVE's own message (8.2: only in the reason phrase)", async () => {
    h.sim.injectFault({ path: "/nodes/pve1/qemu/100/status/stop", kind: "status", status: 500, reason: "VM is locked (backup)", times: 1 });
    const { results } = await command("qemu/100", "stop");
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "error", action: "stop" });
    expect(results[0]!.error).toContain("VM is locked (backup)");
  });

  it("a command while PVE is unreachable gets a clear error and the daemon keeps running", async () => {
    await h.sim.setHostDown(0, true);
    try {
      const { results } = await command("qemu/100", '{"action":"reboot","id":"down"}', 20_000);
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ id: "down", status: "error" });
      expect(results[0]!.error).toMatch(/unreachable|not reachable|ECONNREFUSED/i);
    } finally {
      await h.sim.setHostDown(0, false);
    }
    const { results } = await command("qemu/100", "refresh", 20_000);
    expect(results).toEqual([expect.objectContaining({ status: "ok", action: "refresh" })]);
  });
});

describe("bad input: an error result and no PVE request", () => {
  const bad: Array<[string, string, RegExp]> = [
    ["qemu/100", "strat", /unknown action/i],
    ["qemu/100", "", /empty|action/i],
    ["qemu/100", "{", /json/i],
    ["qemu/100", "[1,2]", /object|action/i],
    ["qemu/100", "42", /object|action/i],
    ["qemu/100", "null", /object|action/i],
    ["qemu/100", '{"id":"x"}', /action/i],
    ["qemu/100", '{"action":"start","bogus":1}', /bogus/],
    ["qemu/100", '{"action":"shutdown","timeout":-5}', /timeout/],
    ["qemu/100", '{"action":"shutdown","timeout":"soon"}', /timeout/],
    ["qemu/100", '{"action":"shutdown","force_stop":"yes please"}', /force_stop/],
    ["qemu/100", '{"action":"snapshot","name":"1abc"}', /name/],
    ["qemu/100", '{"action":"snapshot","name":"has space"}', /name/],
    ["qemu/100", '{"action":"snapshot","name":"current"}', /current/],
    ["qemu/100", '{"action":"snapshot","name":"pending"}', /pending/],
    ["lxc/200", '{"action":"snapshot","name":"vzdump"}', /vzdump/],
    ["qemu/100", `{"action":"snapshot","name":"${"a".repeat(41)}"}`, /40|name/],
    ["lxc/200", '{"action":"snapshot","name":"ok_name","vmstate":true}', /vmstate/],
    ["lxc/200", '{"action":"suspend","todisk":true}', /todisk/],
    ["qemu/100", '{"action":"backup","storage":"nowhere"}', /storage/],
    ["qemu/100", '{"action":"backup","storage":"local-lvm"}', /storage/],
    ["qemu/100", '{"action":"backup","mode":"fast"}', /mode/],
    ["qemu/100", '{"action":"backup","compress":"bzip9"}', /compress/],
    ["qemu/100", '{"action":"backup","options":"storage=nas evil=1"}', /evil/],
    ["qemu/100", '{"action":"backup","options":"mode"}', /options|mode/],
    ["qemu/100", '{"action":"backup","mailnotification":"sometimes"}', /mailnotification/],
    ["qemu/100", '{"action":"start","__proto__":{"polluted":1}}', /__proto__|parameter|unknown/],
    ["qemu/100", '{"action":"start","constructor":{"prototype":{}}}', /constructor|parameter|unknown/],
    ["qemu/99999", "start", /99999|exist|unknown/i],
    ["qemu/abc", "start", /vmid/i],
    ["lxc/100", "start", /100|exist|unknown/i],
    ["node/pve1", '{"action":"stopall","timeout":999999}', /timeout/],
    ["node/nosuchnode", "reboot", /node/i],
    ["qemu/100", "\u0000\u0001binary\u00ff", /action|unknown/i],
    ["qemu/100", `{"action":"start","id":"${"x".repeat(100)}","pad":"${"y".repeat(70_000)}"}`, /large|size|KiB|pad/i],
  ];
  const label = (payload: string) => (payload.length > 80 ? `${JSON.stringify(payload.slice(0, 40))}… (${payload.length} bytes)` : JSON.stringify(payload));
  it.each(bad.map(([device, payload, expected]) => ({ device, payload, expected, name: `${device} ← ${label(payload)}` })))("$name", async ({ device, payload, expected }) => {
    const writesBefore = posts().length;
    const since = h.observer.messages.length;
    await h.observer.publish(`${h.base}/${device}/set`, payload);
    const result = await h.observer.waitForJson<Result>(`${h.base}/${device}/result`, () => true, 5000, since);
    expect(result.status).toBe("error");
    expect(result.error).toMatch(expected);
    await sleep(50);
    expect(posts().length).toBe(writesBefore);
  });

  it("never replays a retained command when the bridge (re)subscribes", async () => {
    await h.stopBridge();
    await h.observer.publish(`${h.base}/qemu/105/set`, "reboot", { retain: true });
    const writesBefore = posts().length;
    await h.restartBridge();
    await sleep(500);
    expect(posts().slice(writesBefore)).toEqual([]);
    await h.observer.publish(`${h.base}/qemu/105/set`, "", { retain: true }); // clear it
  });

  it("refuses a second power action while the first still runs", async () => {
    const since = h.observer.messages.length;
    const writesBefore = posts().length;
    await h.observer.publish(`${h.base}/qemu/100/set`, "reboot");
    await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.status === "started", 5000, since);
    await h.observer.publish(`${h.base}/qemu/100/set`, '{"action":"stop","id":"second"}');
    const refused = await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.id === "second", 5000, since);
    expect(refused.status).toBe("error");
    expect(refused.error).toMatch(/still running/);
    await h.observer.waitForJson<Result>(`${h.base}/qemu/100/result`, (r) => r.action === "reboot" && r.status === "ok", 5000, since);
    expect(posts().length).toBe(writesBefore + 1);
  });
});

// Last: these change the simulated cluster for good.
describe("node actions (commands.node_power: true)", () => {
  it("startall and stopall run as tasks with two results", async () => {
    const start = await command("node/pve2", "startall");
    expect(start.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket").map((r) => [r.path, r.body])).toEqual([["/nodes/pve2/startall", {}]]);
    expect(start.results.map((r) => r.status)).toEqual(["started", "ok"]);
    const stop = await command("node/pve2", '{"action":"stopall","timeout":60}');
    expect(stop.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket").map((r) => [r.path, r.body])).toEqual([["/nodes/pve2/stopall", { timeout: "60" }]]);
    expect(stop.results.map((r) => r.status)).toEqual(["started", "ok"]);
  });

  it("reboot is accepted without a task: one ok result with upid null", async () => {
    const { results, requests } = await command("node/pve3", "reboot");
    expect(requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket").map((r) => [r.path, r.body])).toEqual([["/nodes/pve3/status", { command: "reboot" }]]);
    expect(results).toEqual([expect.objectContaining({ action: "reboot", status: "ok", upid: null })]);
  });
});
