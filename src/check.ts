import { readFileSync } from "node:fs";
import type { Config } from "./config/schema.js";
import { nodeMatcher } from "./inventory/filter.js";
import { silentLogger } from "./log.js";
import { MqttConnection } from "./mqtt/connection.js";
import { PveClient, clientOptionsFromConfig } from "./pve/index.js";
import { describeFeatures } from "./pve/privileges.js";
import { isSet, type ResourceRow } from "./pve/schemas.js";

type Print = (line: string) => void;

/** How long a step may run before check says what it is waiting for. */
const QUIET_MS = 1000;

/**
 * `pve2mqtt check`: validates what a run needs and says what works. Exit 0 only when the config is
 * valid (it is, or we would not be here), login, /cluster/resources and /cluster/status succeed,
 * and the broker accepts the connection. Output stays English whatever `language` says. Each
 * error is printed once; a step that takes more than a second says what it waits for.
 */
export async function runCheck(config: Config, print: Print = console.log): Promise<number> {
  const log = silentLogger();
  const timeout = `timeout ${config.proxmox.timeout} s`;
  let failed = false;
  const shown = new Set<string>();
  /** The error's message, or a pointer to where it was already printed. */
  const once = (error: unknown): string => {
    const text = message(error);
    if (shown.has(text)) return "the same error as above";
    shown.add(text);
    return text;
  };
  const fail = (line: string) => {
    failed = true;
    print(`  FAIL ${line}`);
  };
  const ok = (line: string) => print(`  ok   ${line}`);
  const waiting = <T>(what: string, work: Promise<T>) => withNotice(work, () => print(`  ..   waiting for ${what} (${timeout})…`));

  print("Configuration: valid");
  print(`Proxmox VE hosts (${config.proxmox.auth.kind === "token" ? `API token ${config.proxmox.auth.tokenId}` : `user ${config.proxmox.user}`}):`);
  const baseOptions = clientOptionsFromConfig(config, log);
  let usable = 0;
  for (const host of config.proxmox.hosts) {
    const single = new PveClient({ ...baseOptions, hosts: [host] });
    try {
      const version = await waiting(`${host.origin} to answer`, single.version());
      ok(`${host.origin} reachable, PVE ${version.version}`);
      usable++;
    } catch (error) {
      print(`  --   ${host.origin} not usable: ${once(error)}`);
    } finally {
      await single.close();
    }
  }
  if (usable === 0) {
    fail(`Proxmox VE: no host usable (the reason for each is above); check proxmox.hosts, the network and the account`);
  } else {
    await checkApi(config, { ok, fail, print, once, waiting, log });
  }

  if (config.mqtt.url) {
    try {
      const connection = await waiting(
        `the MQTT broker ${config.mqtt.url} to accept the connection`,
        MqttConnection.connect(
          {
            url: config.mqtt.url,
            clientId: `pve2mqtt_check_${process.pid}`,
            username: config.mqtt.username,
            password: config.mqtt.password,
            ca: config.mqtt.ca_file ? readFileSync(config.mqtt.ca_file, "utf8") : undefined,
            cert: config.mqtt.cert_file ? readFileSync(config.mqtt.cert_file, "utf8") : undefined,
            key: config.mqtt.key_file ? readFileSync(config.mqtt.key_file, "utf8") : undefined,
            rejectUnauthorized: config.mqtt.reject_unauthorized,
            will: { topic: `${config.mqtt.base_topic}/check`, payload: "", retain: true, qos: 1 },
            log,
          },
          config.proxmox.timeout * 1000,
        ),
      );
      await connection.close();
      ok(`MQTT broker ${config.mqtt.url} accepted the connection`);
    } catch (error) {
      fail(`MQTT broker ${config.mqtt.url}: ${once(error)}`);
    }
  } else {
    ok(`MQTT: the embedded broker will listen on ${config.embedded_broker.host}:${config.embedded_broker.port}`);
  }

  print(failed ? "Result: FAILED" : "Result: OK");
  return failed ? 1 : 0;
}

interface Steps {
  ok: (line: string) => void;
  fail: (line: string) => void;
  print: Print;
  once: (error: unknown) => string;
  waiting: <T>(what: string, work: Promise<T>) => Promise<T>;
  log: ReturnType<typeof silentLogger>;
}

/** Login through the failover client, then what a poll reads. */
async function checkApi(config: Config, { ok, fail, print, once, waiting, log }: Steps): Promise<void> {
  const api = new PveClient(clientOptionsFromConfig(config, log));
  try {
    const version = await waiting("Proxmox VE to answer", api.version());
    ok(`login and API access via ${api.connectedHost()}: PVE ${version.version}`);
    try {
      const status = await waiting("GET /cluster/status", api.clusterStatus());
      const cluster = status.rows.find((row) => row.type === "cluster");
      const nodes = status.rows.filter((row) => row.type === "node");
      const online = nodes.filter((row) => row.type === "node" && row.online).length;
      const name = config.proxmox.cluster_name ?? (cluster?.type === "cluster" ? cluster.name : nodes[0]?.name ?? "?");
      const quorum = cluster?.type === "cluster" ? (cluster.quorate ? "quorate" : "NOT quorate") : "standalone node";
      ok(`cluster ${name}: ${quorum}, ${online}/${nodes.length} nodes online`);
    } catch (error) {
      if (config.proxmox.cluster_name) print(`  --   /cluster/status not readable (${once(error)}); using cluster_name ${config.proxmox.cluster_name}`);
      else fail(`/cluster/status not readable: ${once(error)} — grant Sys.Audit on / or set proxmox.cluster_name`);
    }
    try {
      const resources = await waiting("GET /cluster/resources", api.clusterResources());
      ok(`/cluster/resources: ${describeResources(resources.rows, config)}`);
    } catch (error) {
      fail(`/cluster/resources: ${once(error)}`);
    }
    try {
      const permissions = await waiting("GET /access/permissions", api.permissions());
      const features = describeFeatures(permissions);
      print("Features allowed by the account's privileges:");
      for (const feature of features) {
        print(`  ${feature.ok ? "ok  " : "--  "} ${feature.feature}${feature.ok ? "" : ` (missing ${feature.missing.join(", ")})`}`);
      }
      if (Object.keys(permissions).length === 0 && config.proxmox.auth.kind === "token") {
        print(
          `  The API token has no permissions: with privilege separation a token needs its own ACL.\n` +
            `  Fix: pveum acl modify / --tokens '${config.proxmox.auth.tokenId}' --roles PVE2MQTT`,
        );
      }
    } catch (error) {
      print(`  --   /access/permissions not readable: ${once(error)}`);
    }
  } catch (error) {
    fail(`Proxmox VE: ${once(error)}`);
  } finally {
    await api.close();
  }
}

/**
 * What PVE lists, and what of it becomes a device: templates are never devices, and the filter
 * leaves out nodes (with everything on them) and vmids — so `check` and the bridge's counts agree.
 */
export function describeResources(rows: readonly ResourceRow[], config: Pick<Config, "filter">): string {
  const includeNode = nodeMatcher(config.filter.nodes);
  const excluded = new Set(config.filter.exclude_vmids);
  const listed = { node: 0, qemu: 0, lxc: 0, storage: 0 };
  const published = { node: 0, qemu: 0, lxc: 0, storage: 0 };
  let templates = 0;
  let filteredOut = 0;
  for (const row of rows) {
    if (row.type !== "node" && row.type !== "qemu" && row.type !== "lxc" && row.type !== "storage") continue;
    listed[row.type]++;
    const guest = row.type === "qemu" || row.type === "lxc" ? row : null;
    if (guest && isSet(guest.template)) templates++;
    else if (!includeNode(row.node) || (guest && excluded.has(guest.vmid))) filteredOut++;
    else published[row.type]++;
  }
  const counts = (c: typeof listed) => `${c.node} nodes, ${c.qemu} VMs, ${c.lxc} containers, ${c.storage} storages`;
  const text = counts(listed);
  if (templates === 0 && filteredOut === 0) return text;
  const why = [
    ...(templates > 0 ? [`${templates} ${templates === 1 ? "template" : "templates"} (templates are not devices)`] : []),
    ...(filteredOut > 0 ? [`${filteredOut} left out by filter.nodes / filter.exclude_vmids`] : []),
  ];
  return `${text}; published as devices: ${counts(published)} — not ${why.join(", nor ")}`;
}

/** Runs `notice` if `work` is still pending after QUIET_MS. */
async function withNotice<T>(work: Promise<T>, notice: () => void): Promise<T> {
  const timer = setTimeout(notice, QUIET_MS);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
