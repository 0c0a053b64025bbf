import { describe, expect, it } from "vitest";
import { Poller, type PollerOptions } from "../../src/inventory/poller.js";
import { createLogger } from "../../src/log.js";
import { FakePve, type FakeGuest } from "./fake-api.js";

/* `os`: the guest agent's pretty-name (get-osinfo, once per run, only where the agent answers), else the config's ostype name. */

const DEBIAN = { id: "debian", name: "Debian GNU/Linux", "pretty-name": "Debian GNU/Linux 12 (bookworm)", "version-id": "12", "kernel-release": "6.1.0-25-amd64" };
const EVERY_CYCLE = { ips: 1, snapshots: 1, backups: 1 };
const CORE = new Set(["clusterResources", "clusterStatus", "clusterTasks", "nodeStatus", "version"]);

function capture() {
  const lines: Array<{ level: number; msg: string; problem?: string }> = [];
  const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { log, lines };
}

function setup(guests: FakeGuest[], overrides: Partial<PollerOptions> = {}) {
  const api = new FakePve({ pve1: true });
  api.guests = guests;
  let clock = Date.parse("2024-08-01T12:00:00Z");
  const { log, lines } = capture();
  const poller = new Poller(api, { filter: { nodes: ["*"], exclude_vmids: [] }, log, now: () => clock, cadence: EVERY_CYCLE, ...overrides });
  const poll = async () => {
    const outcome = await poller.poll();
    clock += 30_000;
    return outcome;
  };
  return { api, poll, lines };
}

function vm(vmid: number, overrides: Partial<FakeGuest> = {}): FakeGuest {
  return { kind: "qemu", vmid, node: "pve1", name: `vm${vmid}`, status: "running", uptime: 10_000, config: { agent: 1, ostype: "l26" }, agent: [], osinfo: DEBIAN, ...overrides };
}

const osOf = (outcome: Awaited<ReturnType<Poller["poll"]>>, key: string) => outcome.details.get(key)!.os;

describe("Guest OS", () => {
  it("prefers the agent's pretty-name, read after its agent answered; the ostype name until then", async () => {
    const { api, poll } = setup([vm(100)]);
    const first = await poll();
    expect(api.count("agentInterfaces")).toBe(1);
    expect(api.count("agentOsInfo")).toBe(0);
    expect(osOf(first, "qemu/100")).toBe("Linux");
    const second = await poll();
    expect(api.calls.filter((call) => call.method === "agentOsInfo").map((call) => call.args)).toEqual([["pve1", 100]]);
    expect(osOf(second, "qemu/100")).toBe("Debian GNU/Linux 12 (bookworm)");
  });

  it("falls back to the ostype name when get-osinfo fails or has no pretty-name, and never asks a guest without an agent", async () => {
    const { api, poll, lines } = setup([
      vm(100, { osinfo: "Agent error: The command guest-get-osinfo has not been found" }),
      vm(101, { osinfo: { id: "debian", name: "Debian GNU/Linux" } }),
      vm(102, { config: { ostype: "win11" }, agent: "No QEMU guest agent configured" }),
      vm(103, { config: { agent: 1, ostype: "win10" }, agent: "QEMU guest agent is not running" }),
      vm(104, { config: { agent: 1 }, osinfo: { "pretty-name": "  " } }),
      { kind: "lxc", vmid: 200, node: "pve1", status: "running", uptime: 10_000, config: { ostype: "alpine" }, interfaces: [] },
    ]);
    let outcome = await poll();
    for (let cycle = 0; cycle < 4; cycle++) outcome = await poll();
    expect(osOf(outcome, "qemu/100")).toBe("Linux");
    expect(osOf(outcome, "qemu/101")).toBe("Linux");
    expect(osOf(outcome, "qemu/102")).toBe("Windows 11/2022");
    expect(osOf(outcome, "qemu/103")).toBe("Windows 10/2016/2019");
    expect(osOf(outcome, "qemu/104")).toBeNull();
    expect(osOf(outcome, "lxc/200")).toBe("Alpine Linux");
    const asked = api.calls.filter((call) => call.method === "agentOsInfo").map((call) => call.args[1]);
    expect(new Set(asked)).toEqual(new Set([100, 101, 104]));
    // the failure is logged once, naming the guest
    expect(lines.filter((line) => line.problem === "qemu/100:osinfo")).toHaveLength(1);
    expect(lines.find((line) => line.problem === "qemu/100:osinfo")!.msg).toContain("qemu/100");
  });

  it("asks the agent once per run of the guest, not every poll, and again after a restart", async () => {
    const guest = vm(100);
    const { api, poll } = setup([guest]);
    for (let cycle = 0; cycle < 20; cycle++) await poll();
    expect(api.count("agentInterfaces")).toBe(20);
    expect(api.count("agentOsInfo")).toBe(1);

    // an upgrade and a reboot: the old name stays until the agent tells the new one
    guest.uptime = 5_000;
    guest.osinfo = { ...DEBIAN, "pretty-name": "Debian GNU/Linux 13 (trixie)" };
    api.clear();
    const restarted = await poll();
    expect(api.count("agentOsInfo")).toBe(0);
    expect(osOf(restarted, "qemu/100")).toBe("Debian GNU/Linux 12 (bookworm)");
    const after = await poll();
    expect(osOf(after, "qemu/100")).toBe("Debian GNU/Linux 13 (trixie)");
    guest.uptime = 6_000;
    for (let cycle = 0; cycle < 10; cycle++) await poll();
    expect(api.count("agentOsInfo")).toBe(1);
  });

  it("at the default cadence, asks get-osinfo once whatever the number of polls", async () => {
    const { api, poll } = setup([vm(100), vm(101)], { cadence: { ips: 10, snapshots: 30, backups: 30 } });
    for (let cycle = 0; cycle < 40; cycle++) await poll();
    expect(api.calls.filter((call) => call.method === "agentOsInfo").map((call) => call.args[1]).sort()).toEqual([100, 101]);
  });

  it("asks again after a failure only when the agent answers again (the IP cadence)", async () => {
    const guest = vm(100, { osinfo: "qmp command 'guest-get-osinfo' failed - got timeout" });
    const { api, poll, lines } = setup([guest], { cadence: { ips: 5, snapshots: 30, backups: 30 } });
    const perPoll: Array<{ interfaces: number; osinfo: number }> = [];
    let outcome = await poll();
    for (let cycle = 1; cycle < 16; cycle++) {
      api.clear();
      outcome = await poll();
      perPoll[cycle] = { interfaces: api.count("agentInterfaces"), osinfo: api.count("agentOsInfo") };
      if (cycle === 1) {
        expect(perPoll[1]!.osinfo).toBe(1);
        expect(osOf(outcome, "qemu/100")).toBe("Linux");
        guest.osinfo = DEBIAN;
      }
    }
    const asked = perPoll.flatMap((counts, cycle) => (counts.osinfo > 0 ? [cycle] : []));
    expect(asked).toHaveLength(2);
    // the second ask follows the agent's next answer, at its cadence (not the next poll)
    expect(asked[1]!).toBeGreaterThan(2);
    expect(perPoll[asked[1]! - 1]!.interfaces).toBe(1);
    expect(osOf(outcome, "qemu/100")).toBe("Debian GNU/Linux 12 (bookworm)");
    expect(lines.filter((line) => line.problem === "qemu/100:osinfo").map((line) => line.level)).toEqual([40, 30]);
  });

  it("forgets the agent's name when the agent is disabled in the config", async () => {
    const guest = vm(100);
    const { poll } = setup([guest]);
    await poll();
    expect(osOf(await poll(), "qemu/100")).toBe("Debian GNU/Linux 12 (bookworm)");
    guest.uptime = 100;
    guest.config = { ostype: "l26" };
    expect(osOf(await poll(), "qemu/100")).toBe("Linux");
  });

  it("keeps first reads (get-osinfo included) within 50 requests a poll, and reads every agent's OS soon", async () => {
    const { api, poll } = setup(Array.from({ length: 60 }, (_, index) => vm(100 + index)), { cadence: { ips: 10, snapshots: 30, backups: 30 } });
    const seen = new Set<string>();
    let outcome;
    for (let cycle = 0; cycle < 8; cycle++) {
      api.clear();
      outcome = await poll();
      // a detail read again at its cadence is not a first read (and not budgeted)
      const firstReads = api.calls.filter((call) => !CORE.has(call.method)).map((call) => `${call.method} ${String(call.args.at(-1))}`).filter((read) => !seen.has(read));
      expect(firstReads.length).toBeLessThanOrEqual(50);
      for (const read of firstReads) seen.add(read);
    }
    expect(api.count("agentOsInfo")).toBe(0);
    expect(new Set([...outcome!.details.values()].map((details) => details.os))).toEqual(new Set(["Debian GNU/Linux 12 (bookworm)"]));
  });
});
