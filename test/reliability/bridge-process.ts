import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { BridgeProcess } from "../../src/bench/bridge-process.js";
import type { PveSimulator } from "../../src/sim/index.js";
import { SIM_PASSWORD, SIM_USER } from "../e2e/harness.js";

/**
 * The bridge in a process of its own, started the way it ships (the runtime V8 flags), against the
 * simulator and broker: the RSS measured is the daemon's, not the test's. `config` adds keys.
 */
export async function startBridgeProcess(sim: PveSimulator, brokerUrl: string, config: Record<string, unknown>): Promise<{ bridge: BridgeProcess; stop(): Promise<void> }> {
  const configDir = mkdtempSync(join(tmpdir(), "pve2mqtt-rel-"));
  const path = join(configDir, "config.yaml");
  writeFileSync(
    path,
    dump({
      proxmox: { hosts: sim.urls.join(","), user: SIM_USER, password: SIM_PASSWORD, fingerprint: [sim.fingerprint], timeout: 5 },
      mqtt: { url: brokerUrl },
      log: { level: "silent" },
      ...config,
    }),
  );
  try {
    const bridge = await BridgeProcess.start(path);
    return {
      bridge,
      async stop() {
        await bridge.stop();
        rmSync(configDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(configDir, { recursive: true, force: true });
    throw error;
  }
}
