import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, sleep, type Harness } from "./harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ tuning: { pve: { hostRetryBaseMs: 200 } }, config: { proxmox: { timeout: 1 }, http: { port: 0, host: "127.0.0.1" } } });
});
afterAll(async () => {
  await h?.stop();
});

async function get(path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`${h.bridge.httpUrl}${path}`);
  return { status: response.status, type: response.headers.get("content-type") ?? "", body: await response.text() };
}

async function waitForStatus(status: number, timeoutMs: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await get("/health");
    if (response.status === status) return JSON.parse(response.body) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`health stayed ${response.status}: ${response.body}`);
    await sleep(100);
  }
}

describe("GET /health", () => {
  it("is 200 with the bridge info while polls succeed, 503 when PVE is unreachable, 200 again after", async () => {
    const healthy = await waitForStatus(200, 5000);
    expect(healthy).toMatchObject({ cluster: "homelab", last_poll_result: "ok", mqtt_connected: true });
    expect(healthy.devices).toMatchObject({ nodes: 3 });

    await h.sim.setHostDown(0, true);
    const unhealthy = await waitForStatus(503, 15_000);
    expect(unhealthy.last_poll_result).toBe("error");
    expect(String(unhealthy.last_error)).not.toBe("");
    // bridge/info says the same on MQTT (published right after the failed poll)
    const info = await h.observer.waitForJson(`${h.base}/bridge/info`, (value) => value.last_poll_result === "error", 5000);
    expect(String(info.last_error)).not.toBe("");

    await h.sim.setHostDown(0, false);
    await waitForStatus(200, 15_000);
  });
});

describe("GET /metrics", () => {
  it("serves valid Prometheus exposition with the bridge's and the cluster's series", async () => {
    await h.observer.publish(`${h.base}/qemu/100/set`, "refresh");
    await h.observer.waitFor(`${h.base}/qemu/100/result`, () => true, 5000);
    const { status, type, body } = await get("/metrics");
    expect(status).toBe(200);
    expect(type).toContain("text/plain");
    assertValidExposition(body);
    expect(body).toMatch(/^pve2mqtt_polls_total\{result="ok"\} [1-9]\d*$/m);
    expect(body).toMatch(/^pve2mqtt_poll_duration_seconds_count [1-9]\d*$/m);
    expect(body).toMatch(/^pve2mqtt_pve_requests_total\{method="GET",endpoint="\/cluster\/resources",status="200"\} [1-9]\d*$/m);
    expect(body).toMatch(/^pve2mqtt_pve_logins_total\{kind="login"\} [1-9]\d*$/m);
    expect(body).toMatch(/^pve2mqtt_mqtt_messages_published_total [1-9]\d*$/m);
    expect(body).toMatch(/^pve2mqtt_panel_clients 0$/m);
    expect(body).toMatch(/^pve2mqtt_commands_total\{action="refresh",result="ok"\} 1$/m);
    expect(body).toMatch(/^pve_node_up\{node="pve1"\} 1$/m);
    expect(body).toMatch(/^pve_guest_up\{node="pve1",vmid="100",name="homeassistant",type="qemu"\} 1$/m);
    expect(body).toMatch(/^pve_guest_memory_total_bytes\{node="pve1",vmid="100",name="homeassistant",type="qemu"\} \d+$/m);
    expect(body).toMatch(/^pve_storage_total_bytes\{node="pve1",storage="nas",type="nfs"\} \d+$/m);
    expect(body).not.toMatch(/vmid="9000"/); // templates are not devices
    // disks and ZFS pools (read on their own cadence)
    expect(body).toMatch(/^pve_disk_temperature_celsius\{node="pve1",disk="nvme0n1",model="Samsung SSD 980 PRO 1TB"\} 41$/m);
    expect(body).toMatch(/^pve_disk_healthy\{node="pve2",disk="sdb",model="[^"]+"\} 0$/m);
    expect(body).toMatch(/^pve_zfs_pool_online\{node="pve2",pool="tank"\} 0$/m);
    expect(body).toMatch(/^pve_zfs_pool_free_bytes\{node="pve1",pool="rpool"\} \d+$/m);
  });
});

/** A strict line check of the text exposition format (0.0.4). */
function assertValidExposition(text: string): void {
  const typed = new Map<string, string>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|Inf|NaN|\+Inf))( \d+)?$/;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# HELP ")) continue;
    if (line.startsWith("# TYPE ")) {
      const [, , name, kind] = line.split(" ");
      expect(["counter", "gauge", "histogram", "summary", "untyped"]).toContain(kind);
      typed.set(name!, kind!);
      continue;
    }
    const match = sample.exec(line);
    expect(match, `invalid exposition line: ${line}`).not.toBeNull();
    const name = match![1]!;
    const family = name.replace(/_(bucket|sum|count)$/, "");
    expect(typed.has(name) || typed.has(family), `sample without TYPE: ${line}`).toBe(true);
  }
}
