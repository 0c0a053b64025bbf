import { osInfoFor, UBUNTU_24_04 } from "./os-info.js";
import { SeededRandom } from "./random.js";
import type { SimGuestSpec, SimStorageSpec } from "./types.js";

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

export function nodeNames(nodes: number | string[] | undefined): string[] {
  if (Array.isArray(nodes)) {
    if (nodes.length === 0) throw new Error("The simulator needs at least one node.");
    return [...nodes];
  }
  const count = nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`nodes must be a positive integer, got ${count}.`);
  return Array.from({ length: count }, (_, i) => `pve${i + 1}`);
}

export function defaultStorages(): SimStorageSpec[] {
  return [
    { storage: "local", type: "dir", content: ["iso", "vztmpl", "backup"], total: 100 * GiB, used: 22 * GiB },
    { storage: "local-lvm", type: "lvmthin", content: ["images", "rootdir"], total: 800 * GiB, used: 310 * GiB },
    { storage: "nas", type: "nfs", shared: true, content: ["backup", "iso"], total: 4 * TiB, used: 1.3 * TiB },
  ];
}

/** A small, realistic home-lab: every shape a consumer must handle appears at least once. */
export function defaultGuests(nodes: string[]): SimGuestSpec[] {
  const on = (i: number): string => nodes[i % nodes.length]!;
  return [
    { vmid: 100, kind: "qemu", node: on(0), name: "homeassistant", agent: true, tags: ["prod", "smarthome"], cores: 2, memory: 4 * GiB, disk: 32 * GiB, ipv4: ["192.168.1.50"], ipv6: ["2001:db8::50"] },
    { vmid: 101, kind: "qemu", node: on(0), name: "docker-host", agent: true, osInfo: UBUNTU_24_04, tags: ["prod"], cores: 4, memory: 8 * GiB, disk: 64 * GiB, ipv4: ["192.168.1.51"] },
    { vmid: 102, kind: "qemu", node: on(1), name: "windows11", ostype: "win11", status: "paused", cores: 4, memory: 8 * GiB, disk: 128 * GiB },
    { vmid: 103, kind: "qemu", node: on(1), name: "backup-server", status: "hibernated", cores: 2, memory: 4 * GiB, disk: 32 * GiB },
    { vmid: 104, kind: "qemu", node: on(2), name: "nextcloud", ha: true, agent: true, tags: ["prod"], cores: 2, memory: 4 * GiB, disk: 100 * GiB, ipv4: ["192.168.1.54"] },
    { vmid: 105, kind: "qemu", node: on(2), name: "test-vm", status: "stopped", tags: ["lab"], cores: 1, memory: 2 * GiB, disk: 16 * GiB },
    { vmid: 200, kind: "lxc", node: on(0), name: "pihole", tags: ["dns", "prod"], cores: 1, memory: 512 * 1024 ** 2, disk: 4 * GiB, ipv4: ["192.168.1.60"] },
    { vmid: 201, kind: "lxc", node: on(1), name: "unifi", cores: 2, memory: 2 * GiB, disk: 16 * GiB, ipv4: ["192.168.1.61"] },
    { vmid: 202, kind: "lxc", node: on(2), name: "mosquitto", tags: ["smarthome"], cores: 1, memory: 256 * 1024 ** 2, disk: 2 * GiB, ipv4: ["192.168.1.62"] },
    { vmid: 203, kind: "lxc", node: on(0), name: "nginx-proxy", status: "stopped", cores: 1, memory: 512 * 1024 ** 2, disk: 4 * GiB },
    { vmid: 1000, kind: "lxc", node: on(1), name: "plex", cores: 4, memory: 4 * GiB, disk: 32 * GiB, ipv4: ["192.168.1.70"] },
    { vmid: 9000, kind: "qemu", node: on(0), name: "debian-12-template", template: true, status: "stopped", cores: 2, memory: 2 * GiB, disk: 8 * GiB },
  ];
}

/** count guests: ≈70 % running, qemu and lxc, some with an agent, one template per 20, spread over nodes. */
export function generatedGuests(nodes: string[], count: number, seed: number): SimGuestSpec[] {
  const random = new SeededRandom(seed);
  const guests: SimGuestSpec[] = [];
  for (let i = 0; i < count; i++) {
    const vmid = 100 + i;
    const kind = random.next() < 0.55 ? "qemu" : "lxc";
    const template = i % 20 === 19;
    const running = !template && random.next() < 0.7;
    const spec: SimGuestSpec = {
      vmid,
      kind,
      node: nodes[i % nodes.length]!,
      name: `${kind === "qemu" ? "vm" : "ct"}-${vmid}`,
      status: running ? "running" : "stopped",
      template,
      cores: random.pick([1, 2, 4, 8]),
      memory: random.pick([512 * 1024 ** 2, GiB, 2 * GiB, 4 * GiB, 8 * GiB]),
      disk: random.pick([4, 8, 16, 32, 64]) * GiB,
      ipv4: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    };
    if (kind === "qemu" && random.next() < 0.25) {
      spec.agent = true;
      spec.osInfo = osInfoFor(vmid);
    }
    if (random.next() < 0.3) spec.tags = [random.pick(["prod", "lab", "dev", "web", "db"])];
    guests.push(spec);
  }
  return guests;
}
