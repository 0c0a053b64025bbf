/** `pve2mqtt run | check | demo`: parses the command line and runs the command (src/cli.ts is the entry point). */
import { parseArgs } from "node:util";
import { Bridge } from "./bridge.js";
import { errorMessage } from "./error-message.js";
import { ConfigError, loadConfig } from "./config/load.js";
import type { Config } from "./config/schema.js";
import { createLogger, type Logger } from "./log.js";
import { BRIDGE_VERSION } from "./version.js";

const USAGE = `pve2mqtt ${BRIDGE_VERSION} — Proxmox VE to MQTT bridge with Home Assistant discovery

Usage:
  pve2mqtt [run] [--config FILE]   run the bridge (default command)
  pve2mqtt check [--config FILE]   validate the config, log in to PVE, connect to the broker, report
  pve2mqtt demo [--mqtt URL]       simulated 3-node cluster + embedded broker + bridge, all local;
                                   with --mqtt (or mqtt.url), the bridge publishes to that broker
  pve2mqtt --version | --help

The config file is --config FILE, else $PVE2MQTT_CONFIG, else ./config.yaml; every key can also be
set as PVE2MQTT_<SECTION>__<KEY> in the environment.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: "string", short: "c" },
      mqtt: { type: "string" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.version) {
    console.log(BRIDGE_VERSION);
    return 0;
  }
  const command = positionals[0] ?? "run";
  if (positionals.length > 1 || !["run", "check", "demo"].includes(command)) {
    console.error(`unknown command: ${positionals.join(" ")}\n\n${USAGE}`);
    return 2;
  }
  // demo and check are imported when asked for: the daemon never loads the simulator
  if (command === "demo") return (await import("./demo.js")).runDemo({ mqttUrl: values.mqtt });
  if (values.mqtt !== undefined) {
    console.error(`--mqtt is an option of 'pve2mqtt demo'; for ${command}, set mqtt.url in the config (or PVE2MQTT_MQTT__URL)`);
    return 2;
  }

  let config: Config;
  try {
    config = loadConfig({ path: values.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`pve2mqtt: invalid configuration:\n${error.message}`);
      return 2;
    }
    throw error;
  }
  if (command === "check") return (await import("./check.js")).runCheck(config);
  return runDaemon(config, createLogger({ level: config.log.level }));
}

/** Runs the bridge until SIGINT/SIGTERM; resolves to the exit code. */
async function runDaemon(config: Config, log: Logger): Promise<number> {
  if (!config.proxmox.verify_tls) {
    log.warn("proxmox.verify_tls is false: the PVE certificate is not checked; prefer proxmox.fingerprint or proxmox.ca_file");
  }
  const bridge = new Bridge({ config, log });
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    // A Ctrl+C reaches a relaunched daemon twice (from the terminal and from its parent): one stop.
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, "stopping");
      void bridge.stop().then(() => resolve(0));
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
  try {
    await bridge.start();
  } catch (error) {
    log.fatal({ err: errorMessage(error) }, "cannot start");
    await bridge.stop().catch(() => undefined);
    return 1;
  }
  return stopped;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Handles left by libraries must not keep a finished command alive.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    console.error(`pve2mqtt: ${errorMessage(error)}`);
    process.exit(1);
  },
);
