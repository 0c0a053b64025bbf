/* A realistic small cluster, configs and state payloads for the discovery tests. */
import { ConfigSchema, parseHost, type Config } from "../../src/config/schema.js";
import type { GuestInfo, NodeInfo, StorageInfo } from "../../src/inventory/types.js";
import type { GuestState, NodeState, StorageState } from "../../src/state/types.js";
import type { BridgeInfo } from "../../src/publish/info.js";
type BridgeInfoFields = Pick<BridgeInfo, "version" | "pve_version" | "quorate" | "connected_host" | "last_poll" | "last_poll_duration" | "last_poll_result"> & { cluster: string };
import type { DiscoveryContext } from "../../src/homeassistant/discovery.js";
import { loadTranslations } from "../../src/homeassistant/translations.js";

export function makeConfig(overrides: Record<string, unknown> = {}): Config {
  const raw = ConfigSchema.parse({ proxmox: { hosts: "192.0.2.11", user: "jeedom", password: "not-used" }, ...overrides });
  return {
    ...raw,
    proxmox: {
      ...raw.proxmox,
      hosts: [parseHost("192.0.2.11", 8006)!],
      fingerprint: [],
      user: "jeedom@pve",
      auth: { kind: "password", password: "not-used" },
    },
  };
}

export function makeContext(config: Config = makeConfig()): DiscoveryContext {
  return {
    config,
    cid: "home_lab",
    clusterName: "Home-Lab",
    translations: loadTranslations(config.language),
    bridgeVersion: "0.1.0",
    webUiUrl: "https://192.0.2.11:8006/",
  };
}

const node = (name: string, online: boolean): NodeInfo => ({
  name,
  status: online ? "online" : "offline",
  cpu: online ? 0.12 : null,
  cpus: online ? 8 : null,
  cpuModel: online ? "Intel(R) Xeon(R) E-2236" : null,
  load: online ? [0.5, 0.4, 0.3] : null,
  memUsed: online ? 8e9 : null,
  memTotal: online ? 32e9 : null,
  swapUsed: online ? 0 : null,
  swapTotal: online ? 8e9 : null,
  rootfsUsed: online ? 10e9 : null,
  rootfsTotal: online ? 100e9 : null,
  uptime: online ? 86400 : null,
  kernel: online ? "Linux 6.8.12-1-pve" : null,
  pveVersion: online ? "8.2.4" : null,
  ioDelay: online ? 0.01 : null,
  ip: "192.0.2.11",
});

const guest = (kind: "qemu" | "lxc", vmid: number, name: string | null, nodeName: string): GuestInfo => ({
  kind,
  vmid,
  name,
  node: nodeName,
  status: "running",
  cpu: 0.05,
  cpus: 2,
  memUsed: 1e9,
  memTotal: 4e9,
  diskUsed: kind === "lxc" ? 2e9 : null,
  diskTotal: 32e9,
  counters: { netin: 1, netout: 2, diskread: 3, diskwrite: 4 },
  uptime: 3600,
  haState: null,
  lock: null,
  tags: [],
});

const storage = (nodeName: string, id: string, type: string | null): StorageInfo => ({
  node: nodeName,
  storage: id,
  type,
  status: "available",
  active: true,
  shared: false,
  content: ["images", "rootdir"],
  used: 5e10,
  total: 1e11,
  available: 5e10,
});

export const CLUSTER = {
  nodes: [node("pve1", true), node("PVE-2", false)],
  guests: [guest("qemu", 100, "web", "pve1"), guest("qemu", 101, null, "pve1"), guest("lxc", 200, "dns", "pve1"), guest("lxc", 201, null, "PVE-2")],
  storages: [storage("pve1", "local", "dir"), storage("pve1", "local-lvm", "lvmthin"), storage("PVE-2", "NAS.backup", null)],
};

const ISO = "2024-06-01T10:00:00.000Z";

export const NODE_STATE: NodeState = {
  status: "online",
  cpu: 12.5,
  cpus: 8,
  cpu_model: "Intel(R) Xeon(R) E-2236",
  load_1: 0.5,
  load_5: 0.4,
  load_15: 0.3,
  memory_used: 8e9,
  memory_total: 32e9,
  memory_percent: 25,
  swap_used: 0,
  swap_total: 8e9,
  rootfs_used: 10e9,
  rootfs_total: 100e9,
  rootfs_percent: 10,
  io_delay: 1,
  uptime: 86400,
  boot_time: ISO,
  kernel: "Linux 6.8.12-1-pve",
  pve_version: "8.2.4",
  guests_running: 3,
  guests_total: 4,
  updates: 3,
  update_version: "8.2.5",
  update_summary: "3 updates, 1 from Proxmox",
  tasks_running: 1,
  tasks_failed: 0,
  last_seen: ISO,
};

/** Every nullable field null: what an unreachable node publishes. */
export const NODE_STATE_UNKNOWN: NodeState = {
  status: "unknown",
  cpu: null,
  cpus: null,
  cpu_model: null,
  load_1: null,
  load_5: null,
  load_15: null,
  memory_used: null,
  memory_total: null,
  memory_percent: null,
  swap_used: null,
  swap_total: null,
  rootfs_used: null,
  rootfs_total: null,
  rootfs_percent: null,
  io_delay: null,
  uptime: null,
  boot_time: null,
  kernel: null,
  pve_version: null,
  guests_running: 0,
  guests_total: 0,
  updates: null,
  update_version: null,
  update_summary: null,
  tasks_running: null,
  tasks_failed: null,
  last_seen: ISO,
};

export const GUEST_STATE: GuestState = {
  vmid: 100,
  name: "web",
  node: "pve1",
  type: "qemu",
  status: "running",
  running: true,
  cpu: 5,
  cpus: 2,
  memory_used: 1e9,
  memory_total: 4e9,
  memory_percent: 25,
  disk_used: 2e9,
  disk_total: 32e9,
  disk_read_rate: 1024,
  disk_write_rate: 2048,
  net_in_rate: 512,
  net_out_rate: 256,
  uptime: 3600,
  boot_time: ISO,
  ha_state: "started",
  lock: null,
  tags: ["prod"],
  ip: "192.0.2.50",
  ipv4: ["192.0.2.50", "198.51.100.7"],
  ipv6: ["2001:db8::50"],
  os: "Debian GNU/Linux 12 (bookworm)",
  snapshots: 2,
  last_snapshot: "before_upgrade",
  last_snapshot_time: ISO,
  last_backup: ISO,
  last_backup_status: "error",
  last_backup_error: "storage 'nas' is not online",
  backup_running: true,
  backup_progress: 45,
  last_action: { id: "a1", action: "start", status: "ok", upid: "UPID:pve1:0001:0002:00000003:qmstart:100:root@pam:", exitstatus: "OK", error: null, duration: 2.1, time: ISO },
  last_seen: ISO,
};

export const GUEST_STATE_UNKNOWN: GuestState = {
  vmid: 101,
  name: "VM 101",
  node: "pve1",
  type: "qemu",
  status: "unknown",
  running: false,
  cpu: null,
  cpus: null,
  memory_used: null,
  memory_total: null,
  memory_percent: null,
  disk_used: null,
  disk_total: null,
  disk_read_rate: null,
  disk_write_rate: null,
  net_in_rate: null,
  net_out_rate: null,
  uptime: null,
  boot_time: null,
  ha_state: null,
  lock: null,
  tags: [],
  ip: null,
  ipv4: [],
  ipv6: [],
  os: null,
  snapshots: null,
  last_snapshot: null,
  last_snapshot_time: null,
  last_backup: null,
  last_backup_status: null,
  last_backup_error: null,
  backup_running: false,
  backup_progress: null,
  last_action: null,
  last_seen: ISO,
};

export const STORAGE_STATE: StorageState = {
  node: "pve1",
  storage: "local",
  type: "dir",
  status: "available",
  active: true,
  shared: false,
  content: ["iso", "backup"],
  used: 5e10,
  total: 1e11,
  available: 5e10,
  used_percent: 50,
  last_seen: ISO,
};

export const STORAGE_STATE_UNKNOWN: StorageState = {
  node: "PVE-2",
  storage: "NAS.backup",
  type: null,
  status: "unknown",
  active: null,
  shared: true,
  content: [],
  used: null,
  total: null,
  available: null,
  used_percent: null,
  last_seen: ISO,
};

export const BRIDGE_INFO: BridgeInfoFields = {
  version: "0.1.0",
  cluster: "Home-Lab",
  pve_version: "8.2.4",
  quorate: true,
  connected_host: "https://192.0.2.11:8006",
  last_poll: ISO,
  last_poll_duration: 0.42,
  last_poll_result: "ok",
};

export const BRIDGE_INFO_UNKNOWN: BridgeInfoFields = {
  version: "0.1.0",
  cluster: "Home-Lab",
  pve_version: null,
  quorate: null,
  connected_host: null,
  last_poll: null,
  last_poll_duration: null,
  last_poll_result: null,
};
