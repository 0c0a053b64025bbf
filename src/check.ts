import { readFileSync } from "node:fs";
import type { Config } from "./config/schema.js";
import { silentLogger } from "./log.js";
import { MqttConnection } from "./mqtt/connection.js";
import { PveClient, clientOptionsFromConfig } from "./pve/index.js";
import { describeFeatures } from "./pve/privileges.js";

type Print = (line: string) => void;

/**
 * `pve2mqtt check`: validates what a run needs and says what works. Exit 0 only when the config is
 * valid (it is, or we would not be here), login, /cluster/resources and /cluster/status succeed,
 * and the broker accepts the connection. Output stays English whatever `language` says.
 */
export async function runCheck(config: Config, print: Print = console.log): Promise<number> {
  const log = silentLogger();
  let failed = false;
  const fail = (line: string) => {
    failed = true;
    print(`  FAIL ${line}`);
  };
  const ok = (line: string) => print(`  ok   ${line}`);

  print("Configuration: valid");
  print(`Proxmox VE hosts (${config.proxmox.auth.kind === "token" ? `API token ${config.proxmox.auth.tokenId}` : `user ${config.proxmox.user}`}):`);
  const baseOptions = clientOptionsFromConfig(config, log);
  for (const host of config.proxmox.hosts) {
    const single = new PveClient({ ...baseOptions, hosts: [host] });
    try {
      const version = await single.version();
      ok(`${host.origin} reachable, PVE ${version.version}`);
    } catch (error) {
      print(`  --   ${host.origin} not usable: ${message(error)}`);
    } finally {
      await single.close();
    }
  }

  const api = new PveClient(baseOptions);
  try {
    const version = await api.version();
    ok(`login and API access via ${api.connectedHost()}: PVE ${version.version}`);
    try {
      const status = await api.clusterStatus();
      const cluster = status.rows.find((row) => row.type === "cluster");
      const nodes = status.rows.filter((row) => row.type === "node");
      const online = nodes.filter((row) => row.type === "node" && row.online).length;
      const name = config.proxmox.cluster_name ?? (cluster?.type === "cluster" ? cluster.name : nodes[0]?.name ?? "?");
      const quorum = cluster?.type === "cluster" ? (cluster.quorate ? "quorate" : "NOT quorate") : "standalone node";
      ok(`cluster ${name}: ${quorum}, ${online}/${nodes.length} nodes online`);
    } catch (error) {
      if (config.proxmox.cluster_name) print(`  --   /cluster/status not readable (${message(error)}); using cluster_name ${config.proxmox.cluster_name}`);
      else fail(`/cluster/status not readable: ${message(error)} — grant Sys.Audit on / or set proxmox.cluster_name`);
    }
    try {
      const resources = await api.clusterResources();
      const count = (type: string) => resources.rows.filter((row) => row.type === type).length;
      ok(`/cluster/resources: ${count("node")} nodes, ${count("qemu")} VMs, ${count("lxc")} containers, ${count("storage")} storages`);
    } catch (error) {
      fail(`/cluster/resources: ${message(error)}`);
    }
    try {
      const permissions = await api.permissions();
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
      print(`  --   /access/permissions not readable: ${message(error)}`);
    }
  } catch (error) {
    fail(`Proxmox VE: ${message(error)}`);
  } finally {
    await api.close();
  }

  if (config.mqtt.url) {
    try {
      const connection = await MqttConnection.connect(
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
      );
      await connection.close();
      ok(`MQTT broker ${config.mqtt.url} accepted the connection`);
    } catch (error) {
      fail(`MQTT broker ${config.mqtt.url}: ${message(error)}`);
    }
  } else {
    ok(`MQTT: the embedded broker will listen on ${config.embedded_broker.host}:${config.embedded_broker.port}`);
  }

  print(failed ? "Result: FAILED" : "Result: OK");
  return failed ? 1 : 0;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
