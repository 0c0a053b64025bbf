import { describe, expect, it } from "vitest";
import { Poller } from "../../src/inventory/poller.js";
import { silentLogger } from "../../src/log.js";
import { PveHttpError, PveResponseError } from "../../src/pve/errors.js";
import { clientFor, requestsTo, startSim } from "../pve/harness.js";

/* `os` against the HTTPS simulator through the real client: the agent's get-osinfo, else the config's ostype. */

const OSINFO = /^\/nodes\/[^/]+\/qemu\/\d+\/agent\/get-osinfo$/;

function pollerFor(client: ReturnType<typeof clientFor>) {
  return new Poller(client, { filter: { nodes: ["*"], exclude_vmids: [] }, log: silentLogger() });
}

describe("Guest OS against the simulator", () => {
  it("reads get-osinfo's `result`, and fails like PVE where no agent answers", async () => {
    const sim = await startSim({ hosts: 1 });
    const client = clientFor(sim);
    expect(await client.agentOsInfo("pve1", 100)).toMatchObject({ "pretty-name": "Debian GNU/Linux 12 (bookworm)", id: "debian", "version-id": "12" });
    expect((await client.agentOsInfo("pve1", 101))["pretty-name"]).toBe("Ubuntu 24.04.1 LTS");
    await expect(client.agentOsInfo("pve2", 102)).rejects.toThrow("No QEMU guest agent configured");
    await expect(client.agentOsInfo("pve2", 102)).rejects.toBeInstanceOf(PveHttpError);
    sim.updateGuest(100, { agentRunning: false });
    await expect(client.agentOsInfo("pve1", 100)).rejects.toThrow("QEMU guest agent is not running");
    sim.updateGuest(100, { agentRunning: true });
    sim.injectFault({ path: OSINFO, kind: "rewrite", rewrite: () => ({ result: { "pretty-name": 12 } }), times: 1 });
    const malformed = client.agentOsInfo("pve1", 100);
    await expect(malformed).rejects.toBeInstanceOf(PveResponseError);
    await expect(client.agentOsInfo("pve1", 100)).resolves.toMatchObject({ "pretty-name": "Debian GNU/Linux 12 (bookworm)" });
  });

  it("shows qemu/100's agent pretty-name, the ostype name elsewhere, asking each running agent once", async () => {
    const sim = await startSim({ hosts: 1 });
    // the Windows VM (no agent) runs
    sim.updateGuest(102, { status: "running" });
    const poller = pollerFor(clientFor(sim));
    let outcome = await poller.poll();
    for (let cycle = 0; cycle < 11; cycle++) outcome = await poller.poll();
    const os = (key: string) => outcome.details.get(key)!.os;
    expect(os("qemu/100")).toBe("Debian GNU/Linux 12 (bookworm)");
    expect(os("qemu/101")).toBe("Ubuntu 24.04.1 LTS");
    expect(os("qemu/102")).toBe("Windows 11/2022");
    expect(os("lxc/200")).toBe("Debian");
    expect(requestsTo(sim, OSINFO).map((request) => request.path).sort()).toEqual([
      "/nodes/pve1/qemu/100/agent/get-osinfo",
      "/nodes/pve1/qemu/101/agent/get-osinfo",
      "/nodes/pve3/qemu/104/agent/get-osinfo",
    ]);
  });

  it("names the OS of a guest that is not running from its config's ostype, read once", async () => {
    const sim = await startSim({ hosts: 1 });
    sim.updateGuest(102, { status: "stopped" });
    sim.updateGuest(200, { status: "stopped" });
    const poller = pollerFor(clientFor(sim));
    await poller.poll();
    const outcome = await poller.poll();
    expect(outcome.details.get("qemu/102")!.os).toBe("Windows 11/2022");
    expect(outcome.details.get("lxc/200")!.os).toBe("Debian");
    for (let cycle = 0; cycle < 3; cycle++) await poller.poll();
    expect(requestsTo(sim, "/nodes/pve2/qemu/102/config")).toHaveLength(1);
  });

  it("keeps the ostype name when get-osinfo fails", async () => {
    const sim = await startSim({ hosts: 1 });
    sim.injectFault({ path: "/nodes/pve1/qemu/100/agent/get-osinfo", kind: "status", status: 500, reason: "Agent error: The command guest-get-osinfo has not been found" });
    const poller = pollerFor(clientFor(sim));
    await poller.poll();
    const outcome = await poller.poll();
    expect(requestsTo(sim, "/nodes/pve1/qemu/100/agent/get-osinfo")).toHaveLength(1);
    expect(outcome.details.get("qemu/100")!.os).toBe("Linux");
    expect(outcome.details.get("qemu/101")!.os).toBe("Ubuntu 24.04.1 LTS");
  });
});
