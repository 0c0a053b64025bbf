import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

type Discovery = Record<string, unknown> & { name?: string; unique_id?: string; components?: Record<string, Record<string, unknown>> };

describe("homeassistant.remove_vanished_after", () => {
  it("clears a vanished guest's discovery, state and availability after the delay", async () => {
    h = await startHarness({ config: { homeassistant: { remove_vanished_after: 2 } } });
    const { observer, base } = h;
    const discovery = await observer.waitForTopic((t) => t.startsWith("homeassistant/") && t.includes("/lxc_203_"));
    const since = observer.messages.length;
    h.sim.removeGuest(203);
    await observer.waitFor(`${base}/lxc/203/availability`, (p) => p === "offline", 3000, since);
    // Not before the delay…
    expect(observer.messages.slice(since).some((m) => m.topic === discovery && m.payload === "")).toBe(false);
    // …then everything retained about it is cleared with empty payloads.
    await observer.waitFor(discovery, (p) => p === "", 5000, since);
    await observer.waitFor(`${base}/lxc/203`, (p) => p === "", 2000, since);
    await observer.waitFor(`${base}/lxc/203/availability`, (p) => p === "", 2000, since);
  });

  it("also across a restart: a guest deleted while the bridge was down is cleared, using last_seen read back from the broker", async () => {
    h = await startHarness({ config: { homeassistant: { remove_vanished_after: 3 } } });
    const { observer, base } = h;
    const discovery = await observer.waitForTopic((t) => t.startsWith("homeassistant/") && t.includes("/qemu_105_"));
    await h.stopBridge();
    h.sim.removeGuest(105);
    const since = observer.messages.length;
    await h.restartBridge();
    // Known from the broker, absent from PVE: offline at once, removed once last_seen is 3 s old.
    await observer.waitFor(`${base}/qemu/105/availability`, (p) => p === "offline", 3000, since);
    await observer.waitFor(discovery, (p) => p === "", 6000, since);
    await observer.waitFor(`${base}/qemu/105`, (p) => p === "", 2000, since);
  });

  it("without the option a vanished guest stays, offline, with its discovery", async () => {
    h = await startHarness();
    const { observer, base } = h;
    const discovery = await observer.waitForTopic((t) => t.startsWith("homeassistant/") && t.includes("/lxc_203_"));
    const since = observer.messages.length;
    h.sim.removeGuest(203);
    await observer.waitFor(`${base}/lxc/203/availability`, (p) => p === "offline", 3000, since);
    const offlineAt = observer.messages.slice(since).find((m) => m.topic === `${base}/lxc/203/availability`)!.at;
    // A poll that began 2 s after the guest was reported offline, so over 2 s after it was last seen: the first test's delay.
    await observer.waitForPolls(base, { after: offlineAt + 2000 });
    expect(observer.messages.slice(since).some((m) => m.topic === discovery)).toBe(false);
    expect(observer.messages.slice(since).some((m) => m.topic === `${base}/lxc/203` && m.payload === "")).toBe(false);
  });
});

describe("homeassistant.discovery: device", () => {
  it("publishes one device-based config per device, with its components", async () => {
    h = await startHarness({ config: { homeassistant: { discovery: "device" } } });
    const topic = "homeassistant/device/pve2mqtt_homelab_qemu_100/config";
    const config = await h.observer.waitForJson<Discovery>(topic, () => true, 5000);
    expect(config.device).toMatchObject({ identifiers: ["pve2mqtt_homelab_qemu_100"], manufacturer: "Proxmox" });
    expect(config.origin).toMatchObject({ name: "pve2mqtt" });
    const components = Object.values(config.components ?? {});
    expect(components.length).toBeGreaterThan(10);
    expect(components.map((c) => c.unique_id)).toContain("pve2mqtt_homelab_qemu_100_running");
    expect(h.observer.topics("homeassistant/").every((t) => t.startsWith("homeassistant/device/"))).toBe(true);
  });
});

describe("language", () => {
  it("names entities in the configured language", async () => {
    h = await startHarness({ config: { language: "fr" } });
    const topic = await h.observer.waitForTopic((t) => /^homeassistant\/binary_sensor\/pve2mqtt_homelab\/qemu_100_running\/config$/.test(t));
    const config = await h.observer.waitForJson<Discovery>(topic);
    expect(config.name).toBe("En marche");
  });
});

describe("commands.enabled: false (read-only bridge)", () => {
  it("publishes no action buttons, refuses actions without calling PVE, and still refreshes", async () => {
    h = await startHarness({ config: { commands: { enabled: false } } });
    const { observer, base } = h;
    await observer.waitForTopic((t) => t.includes("/qemu_100_refresh/"));
    // The retained discovery comes in one burst on subscribing, long before a poll that begins now ends.
    const polled = Date.now();
    void h.bridge.pollNow();
    await observer.waitForPolls(base, { after: polled });
    const buttons = observer.topics("homeassistant/button/").filter((t) => t.includes("/qemu_100_"));
    expect(buttons).toEqual([expect.stringContaining("qemu_100_refresh")]);

    const writes = () => h!.sim.requests.filter((r) => r.method === "POST" && r.path !== "/access/ticket").length;
    const before = writes();
    const since = observer.messages.length;
    await observer.publish(`${base}/qemu/100/set`, "stop");
    const refused = await observer.waitForJson(`${base}/qemu/100/result`, () => true, 5000, since);
    expect(refused).toMatchObject({ action: "stop", status: "error" });
    expect(String(refused.error)).toMatch(/not allowed|read-only|commands\.enabled/);
    await observer.publish(`${base}/qemu/100/set`, '{"action":"refresh","id":7}');
    const ok = await observer.waitForJson(`${base}/qemu/100/result`, (r) => r.action === "refresh", 5000, since);
    expect(ok).toMatchObject({ id: 7, status: "ok" });
    expect(writes()).toBe(before);
  });
});

describe("B/bridge/request/refresh", () => {
  it("refreshes everything now and answers, echoing the request id", async () => {
    h = await startHarness({ config: { poll: { interval: 60 } } });
    const { observer, base } = h;
    const polls = () => h!.sim.requests.filter((r) => r.path === "/cluster/resources").length;
    const before = polls();
    const since = observer.messages.length;
    await observer.publish(`${base}/bridge/request/refresh`, '{"id":"r-1"}');
    const answer = await observer.waitForJson(`${base}/bridge/response/refresh`, () => true, 5000, since);
    expect(answer).toEqual({ id: "r-1", status: "ok" });
    expect(polls()).toBe(before + 1);
  });
});
