import { describe, expect, it } from "vitest";
import {
  bridgeDiscovery,
  deviceDiscoveryTopics,
  guestDiscovery,
  nodeDiscovery,
  retiredDiscoveryTopics,
  storageDiscovery,
  type DiscoveryMessage,
} from "../../src/homeassistant/discovery.js";
import { CATALOG, entityKey, hasEntity, type Row } from "../../src/catalog/index.js";
import { clusterMessages } from "./cluster.js";
import { CLUSTER, makeConfig, makeContext } from "./fixtures.js";

const [pve1, pve2] = CLUSTER.nodes as [typeof CLUSTER.nodes[0], typeof CLUSTER.nodes[0]];
const [vm100, vm101, ct200] = CLUSTER.guests as [typeof CLUSTER.guests[0], typeof CLUSTER.guests[0], typeof CLUSTER.guests[0]];
const nasStorage = CLUSTER.storages[2]!;

function find(messages: DiscoveryMessage[], objectId: string): Record<string, unknown> {
  const message = messages.find((m) => m.topic.endsWith(`/${objectId}/config`));
  if (!message) throw new Error(`no discovery for ${objectId}: ${messages.map((m) => m.topic).join(", ")}`);
  return message.payload;
}
const availabilityTopics = (payload: Record<string, unknown>) => (payload.availability as Array<{ topic: string }>).map((item) => item.topic);

describe("entity mode", () => {
  const ctx = makeContext();

  it("publishes one config per entity under <prefix>/<component>/pve2mqtt_<cid>/<object id>/config", () => {
    const messages = guestDiscovery(ctx, vm100);
    expect(messages.map((m) => m.topic)).toContain("homeassistant/sensor/pve2mqtt_home_lab/qemu_100_memory_used/config");
    expect(messages.map((m) => m.topic)).toContain("homeassistant/binary_sensor/pve2mqtt_home_lab/qemu_100_running/config");
    expect(messages.map((m) => m.topic)).toContain("homeassistant/button/pve2mqtt_home_lab/qemu_100_start/config");
    const memory = find(messages, "qemu_100_memory_used");
    expect(memory).toMatchObject({
      unique_id: "pve2mqtt_home_lab_qemu_100_memory_used",
      default_entity_id: "sensor.pve2mqtt_home_lab_qemu_100_memory_used",
      name: "Memory used",
      state_topic: "pve2mqtt/qemu/100",
      device_class: "data_size",
      unit_of_measurement: "GiB",
      state_class: "measurement",
      suggested_display_precision: 2,
    });
    expect(memory).not.toHaveProperty("object_id");
  });

  it("slugs node and storage ids (never guest names) into ids and topics", () => {
    const storage = find(storageDiscovery(ctx, nasStorage), "storage_pve_2_nas_backup_used");
    expect(storage.unique_id).toBe("pve2mqtt_home_lab_storage_pve_2_nas_backup_used");
    expect(storage.state_topic).toBe("pve2mqtt/storage/pve_2/nas_backup");
    expect(storage.device).toMatchObject({
      identifiers: ["pve2mqtt_home_lab_storage_pve_2_nas_backup"],
      name: "NAS.backup (PVE-2)",
      model: "Storage",
      configuration_url: "https://192.0.2.11:8006/#v1:0:=storage%2FPVE-2%2FNAS.backup",
      via_device: "pve2mqtt_home_lab_bridge",
    });
    expect(find(storageDiscovery(ctx, CLUSTER.storages[1]!), "storage_pve1_local_lvm_total").device).toMatchObject({ model: "Storage (lvmthin)" });
  });

  it("describes each device: names, models, versions, links and via_device guest → node → bridge", () => {
    expect(find(nodeDiscovery(ctx, pve1), "node_pve1_cpu").device).toEqual({
      identifiers: ["pve2mqtt_home_lab_node_pve1"],
      manufacturer: "Proxmox",
      name: "pve1",
      model: "Proxmox VE node",
      sw_version: "8.2.4",
      configuration_url: "https://192.0.2.11:8006/#v1:0:=node%2Fpve1",
      via_device: "pve2mqtt_home_lab_bridge",
    });
    expect(find(nodeDiscovery(ctx, pve2), "node_pve_2_cpu").device).not.toHaveProperty("sw_version");
    expect(find(guestDiscovery(ctx, vm100), "qemu_100_cpu").device).toMatchObject({ name: "web", model: "QEMU virtual machine", via_device: "pve2mqtt_home_lab_node_pve1" });
    expect(find(guestDiscovery(ctx, vm101), "qemu_101_cpu").device).toMatchObject({ name: "VM 101" });
    expect(find(guestDiscovery(ctx, CLUSTER.guests[3]!), "lxc_201_cpu").device).toMatchObject({ name: "CT 201", model: "LXC container", via_device: "pve2mqtt_home_lab_node_pve_2" });
    const bridge = find(bridgeDiscovery(ctx), "bridge_version");
    expect(bridge.device).toEqual({
      identifiers: ["pve2mqtt_home_lab_bridge"],
      manufacturer: "Proxmox",
      name: "pve2mqtt Home-Lab",
      model: "pve2mqtt bridge",
      sw_version: "0.1.0",
      configuration_url: "https://192.0.2.11:8006/",
    });
    expect(bridge.origin).toEqual({ name: "pve2mqtt", sw_version: "0.1.0", support_url: "https://github.com/pve2mqtt/pve2mqtt" });
  });

  it("adds suggested_area only when configured", () => {
    const area = makeContext(makeConfig({ homeassistant: { suggested_area: "Server room" } }));
    expect(find(nodeDiscovery(area, pve1), "node_pve1_cpu").device).toMatchObject({ suggested_area: "Server room" });
    expect(find(nodeDiscovery(ctx, pve1), "node_pve1_cpu").device).not.toHaveProperty("suggested_area");
  });

  it("entities reporting reachability list only the bridge state; the others also the device availability", () => {
    const node = nodeDiscovery(ctx, pve1);
    expect(availabilityTopics(find(node, "node_pve1_online"))).toEqual(["pve2mqtt/bridge/state"]);
    expect(availabilityTopics(find(node, "node_pve1_cpu"))).toEqual(["pve2mqtt/bridge/state", "pve2mqtt/node/pve1/availability"]);
    const guest = guestDiscovery(ctx, vm100);
    expect(availabilityTopics(find(guest, "qemu_100_running"))).toEqual(["pve2mqtt/bridge/state"]);
    expect(availabilityTopics(find(guest, "qemu_100_status"))).toEqual(["pve2mqtt/bridge/state"]);
    expect(availabilityTopics(find(guest, "qemu_100_ip"))).toEqual(["pve2mqtt/bridge/state", "pve2mqtt/qemu/100/availability"]);
    expect(availabilityTopics(find(storageDiscovery(ctx, nasStorage), "storage_pve_2_nas_backup_active"))).toEqual(["pve2mqtt/bridge/state"]);
    for (const message of [...node, ...guest]) expect(message.payload.availability_mode).toBe("all");
  });

  it("the guest status is an enum over the closed list, running a binary sensor of class running", () => {
    const guest = guestDiscovery(ctx, vm100);
    expect(find(guest, "qemu_100_status")).toMatchObject({ device_class: "enum", options: ["running", "paused", "suspended", "hibernated", "prelaunch", "io-error", "migrating", "stopped", "unknown"] });
    expect(find(guest, "qemu_100_status")).not.toHaveProperty("state_class");
    expect(find(guest, "qemu_100_running")).toMatchObject({ device_class: "running", payload_on: "ON", payload_off: "OFF" });
    expect(find(nodeDiscovery(ctx, pve1), "node_pve1_online")).toMatchObject({ device_class: "connectivity" });
  });

  it("the IP shows the first IPv4 with every address as attributes from the same topic", () => {
    expect(find(guestDiscovery(ctx, ct200), "lxc_200_ip")).toMatchObject({
      value_template: "{{ value_json.ip }}",
      json_attributes_topic: "pve2mqtt/lxc/200",
      json_attributes_template: "{{ { 'ipv4': value_json.ipv4, 'ipv6': value_json.ipv6 } | tojson }}",
    });
  });

  it("rates are kB/s and disk usage exists only for containers", () => {
    expect(find(guestDiscovery(ctx, vm100), "qemu_100_net_in_rate")).toMatchObject({ device_class: "data_rate", unit_of_measurement: "kB/s" });
    expect(guestDiscovery(ctx, vm100).some((m) => m.topic.includes("qemu_100_disk_used/"))).toBe(false);
    expect(find(guestDiscovery(ctx, ct200), "lxc_200_disk_used")).toMatchObject({ unit_of_measurement: "GiB" });
  });

  it("diagnostic values carry entity_category diagnostic", () => {
    const node = nodeDiscovery(ctx, pve1);
    for (const id of ["node_pve1_pve_version", "node_pve1_kernel", "node_pve1_cpu_model"]) expect(find(node, id).entity_category).toBe("diagnostic");
    const guest = guestDiscovery(ctx, vm100);
    for (const id of ["qemu_100_ha_state", "qemu_100_node"]) expect(find(guest, id).entity_category).toBe("diagnostic");
    expect(find(node, "node_pve1_cpu")).not.toHaveProperty("entity_category");
  });

  it("the bridge panel reads B/bridge/info, its connection B/bridge/state, its refresh goes to B/bridge/request/refresh", () => {
    const ctxBase = makeContext(makeConfig({ mqtt: { base_topic: "pve/home" } }));
    const bridge = bridgeDiscovery(ctxBase);
    expect(find(bridge, "bridge_quorate")).toMatchObject({ state_topic: "pve/home/bridge/info" });
    expect(find(bridge, "bridge_last_poll")).toMatchObject({ device_class: "timestamp", value_template: "{{ value_json.last_poll }}" });
    expect(find(bridge, "bridge_connection")).toMatchObject({ state_topic: "pve/home/bridge/state", payload_on: "online", payload_off: "offline" });
    expect(find(bridge, "bridge_refresh")).toMatchObject({ command_topic: "pve/home/bridge/request/refresh", payload_press: "refresh" });
    for (const message of bridge) expect(availabilityTopics(message.payload)).toEqual(["pve/home/bridge/state"]);
    for (const key of ["pve_version", "cluster", "connected_host", "version"]) expect(bridge.some((m) => m.topic.endsWith(`/bridge_${key}/config`))).toBe(true);
  });

  it("names come from the configured language", () => {
    const fr = makeContext(makeConfig({ language: "fr" }));
    expect(find(guestDiscovery(fr, vm100), "qemu_100_memory_used").name).toBe("Mémoire utilisée");
    const de = makeContext(makeConfig({ language: "de" }));
    expect(find(guestDiscovery(de, vm100), "qemu_100_memory_used").name).toBe("Arbeitsspeicher belegt");
  });

  it("lists every topic of a device, to clear it when it vanishes", () => {
    const topics = deviceDiscoveryTopics(ctx, { kind: "guest", guest: vm100 });
    expect(topics).toEqual(expect.arrayContaining(guestDiscovery(ctx, vm100).map((m) => m.topic)));
    expect(topics).toContain("homeassistant/button/pve2mqtt_home_lab/qemu_100_suspend/config");
    const deviceCtx = makeContext(makeConfig({ homeassistant: { discovery: "device" } }));
    expect(deviceDiscoveryTopics(deviceCtx, { kind: "guest", guest: vm100 })).toEqual(["homeassistant/device/pve2mqtt_home_lab_qemu_100/config"]);
  });

  it("lists the discovery topics of buttons the config turns off, to remove them", () => {
    const readOnly = makeContext(makeConfig({ commands: { enabled: false } }));
    const retired = retiredDiscoveryTopics(readOnly, { kind: "guest", guest: vm100 });
    expect(retired).toContain("homeassistant/button/pve2mqtt_home_lab/qemu_100_start/config");
    expect(retired).not.toContain("homeassistant/button/pve2mqtt_home_lab/qemu_100_refresh/config");
    expect(retiredDiscoveryTopics(ctx, { kind: "guest", guest: vm100 })).toEqual([]);
  });
});

describe("device mode", () => {
  const entityConfig = makeConfig({ commands: { node_power: true } });
  const deviceConfig = makeConfig({ commands: { node_power: true }, homeassistant: { discovery: "device" } });

  it("publishes one config per device at <prefix>/device/pve2mqtt_<cid>_<device slug>/config", () => {
    const messages = clusterMessages(deviceConfig).map(({ message }) => message);
    // the bridge, the cluster, one disk and one ZFS pool, and every node, guest and storage
    const devices = 4 + CLUSTER.nodes.length + CLUSTER.guests.length + CLUSTER.storages.length;
    expect(messages).toHaveLength(devices);
    expect(new Set(messages.map((m) => m.topic)).size).toBe(devices);
    expect(messages.map((m) => m.topic)).toContain("homeassistant/device/pve2mqtt_home_lab_storage_pve_2_nas_backup/config");
    const guest = messages.find((m) => m.topic === "homeassistant/device/pve2mqtt_home_lab_qemu_100/config")!.payload;
    expect(guest.device).toMatchObject({ identifiers: ["pve2mqtt_home_lab_qemu_100"], name: "web" });
    expect(guest.origin).toMatchObject({ name: "pve2mqtt" });
    expect((guest.components as Record<string, Record<string, unknown>>).qemu_100_memory_used).toMatchObject({ platform: "sensor", state_topic: "pve2mqtt/qemu/100" });
  });

  it("carries exactly the entities (unique ids and settings) of entity mode", () => {
    const fromEntities = new Map(
      clusterMessages(entityConfig).map(({ message }) => {
        const { device: _d, origin: _o, ...rest } = message.payload;
        return [rest.unique_id as string, rest];
      }),
    );
    const fromDevices = new Map<string, Record<string, unknown>>();
    for (const { message } of clusterMessages(deviceConfig)) {
      for (const component of Object.values(message.payload.components as Record<string, Record<string, unknown>>)) {
        const { platform: _p, ...rest } = component;
        fromDevices.set(rest.unique_id as string, rest);
      }
    }
    expect(fromDevices.size).toBe(fromEntities.size);
    expect(fromDevices).toEqual(fromEntities);
  });

  it("sends turned-off buttons as { platform } alone so Home Assistant removes them", () => {
    const readOnly = makeContext(makeConfig({ commands: { enabled: false }, homeassistant: { discovery: "device" } }));
    const components = guestDiscovery(readOnly, vm100)[0]!.payload.components as Record<string, Record<string, unknown>>;
    expect(components.qemu_100_start).toEqual({ platform: "button" });
    expect(components.qemu_100_refresh).toMatchObject({ platform: "button", payload_press: "refresh" });
    // lxc suspend/resume never existed: no stub either.
    const lxc = guestDiscovery(readOnly, ct200)[0]!.payload.components as Record<string, unknown>;
    expect(lxc).not.toHaveProperty("lxc_200_suspend");
  });
});

describe("catalog", () => {
  const entityRows = Object.values(CATALOG).map((rows) => (rows as readonly Row<never>[]).filter(hasEntity));
  it("keys are unique per device kind", () => {
    for (const rows of entityRows) expect(new Set(rows.map((row) => entityKey(row))).size).toBe(rows.length);
  });
  it("fields are unique per device kind", () => {
    for (const rows of Object.values(CATALOG)) {
      const fields = (rows as readonly Row<never>[]).flatMap((row) => (row.field === undefined ? [] : [row.field]));
      expect(new Set(fields).size).toBe(fields.length);
    }
  });
  it("never puts entity_category config on a sensor", () => {
    for (const rows of entityRows) for (const row of rows) if (row.entity.component !== "button") expect(row.entity.category).not.toBe("config");
  });
});
