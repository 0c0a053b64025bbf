import { createHash } from "node:crypto";
import { requireGuest, shuffled, type SimCall } from "../context.js";
import { SimHttpError } from "../http-error.js";
import { isRunning, type SimGuest } from "../model.js";
import { round } from "../resources.js";
import type { Route } from "../router.js";
import { requireAnsweringAgent } from "./guest-agent.js";

const MiB = 1024 ** 2;

function haObject(guest: SimGuest): Record<string, unknown> {
  return guest.ha ? { managed: 1, group: null, state: guest.hastate ?? "started" } : { managed: 0 };
}

function statusCurrent(call: SimCall): unknown {
  const guest = requireGuest(call);
  const { model } = call.ctx;
  const running = isRunning(guest);
  const common: Record<string, unknown> = {
    vmid: guest.vmid,
    status: running ? "running" : "stopped",
    cpus: model.maxcpu(guest),
    cpu: running ? round(guest.cpu, 4) : 0,
    mem: running ? guest.mem : 0,
    maxmem: guest.memory,
    maxdisk: guest.disk,
    uptime: model.guestUptimeSec(guest),
    netin: running ? guest.netin : 0,
    netout: running ? guest.netout : 0,
    diskread: running ? guest.diskread : 0,
    diskwrite: running ? guest.diskwrite : 0,
    ha: haObject(guest),
  };
  if (running) common.pid = 10000 + guest.vmid;
  if (guest.lock !== undefined) common.lock = guest.lock;
  if (guest.tags.length > 0) common.tags = guest.tags.join(";");
  if (guest.template) common.template = 1;
  if (guest.kind === "lxc") {
    return {
      ...common,
      type: "lxc",
      name: guest.name ?? `CT${guest.vmid}`,
      disk: running ? guest.diskUsed : 0,
      swap: 0,
      maxswap: 512 * MiB,
    };
  }
  const data: Record<string, unknown> = {
    ...common,
    name: guest.name ?? `VM ${guest.vmid}`,
    qmpstatus: guest.runState,
    disk: 0,
  };
  if (guest.agent) data.agent = 1;
  if (running) {
    data["running-machine"] = "pc-q35-9.0+pve0";
    data["running-qemu"] = "9.0.2";
    data["proxmox-support"] = { "pbs-dirty-bitmap": true, "pbs-library-version": "1.4.1 (UNKNOWN)", "query-bitmap-info": true, "pbs-dirty-bitmap-migration": true, "backup-max-workers": true, "pbs-dirty-bitmap-savevm": true, "pbs-masterkey": true };
    data.nics = { [`tap${guest.vmid}i0`]: { netin: guest.netin, netout: guest.netout } };
  }
  return data;
}

function digest(guest: SimGuest): string {
  return createHash("sha1").update(`${guest.vmid}:${guest.name ?? ""}:${guest.tags.join(";")}:${guest.lock ?? ""}`).digest("hex");
}

function config(call: SimCall): unknown {
  const guest = requireGuest(call);
  const size = `${Math.round(guest.disk / 1024 ** 3)}G`;
  const data: Record<string, unknown> = { digest: digest(guest), cores: guest.cores, memory: Math.round(guest.memory / MiB) };
  if (guest.tags.length > 0) data.tags = guest.tags.join(";");
  if (guest.lock !== undefined) data.lock = guest.lock;
  if (guest.template) data.template = 1;
  if (guest.kind === "qemu") {
    if (guest.name !== undefined) data.name = guest.name;
    if (guest.agent) data.agent = "1";
    data.sockets = 1;
    data.ostype = guest.ostype;
    data.boot = "order=scsi0;net0";
    data.scsihw = "virtio-scsi-single";
    data.scsi0 = `local-lvm:vm-${guest.vmid}-disk-0,iothread=1,size=${size}`;
    data.net0 = `virtio=${guest.mac},bridge=vmbr0,firewall=1`;
    data.vmgenid = "c4a6b2d0-3f2e-4b8e-9a52-1d2f3e4a5b6c";
    data.smbios1 = "uuid=7d3e5f1a-2b4c-4d6e-8f0a-1b2c3d4e5f60";
    return data;
  }
  if (guest.name !== undefined) data.hostname = guest.name;
  data.arch = "amd64";
  data.ostype = guest.ostype;
  data.swap = 512;
  data.rootfs = `local-lvm:vm-${guest.vmid}-disk-0,size=${size}`;
  const ip = guest.ipv4[0];
  const address = ip ? `ip=${ip}/24,gw=${ip.split(".").slice(0, 3).join(".")}.1` : "ip=dhcp";
  data.net0 = `name=eth0,bridge=vmbr0,hwaddr=${guest.mac},${address},type=veth`;
  data.unprivileged = 1;
  return data;
}

function linkLocal(mac: string): string {
  const parts = mac.toLowerCase().split(":");
  const first = (parseInt(parts[0]!, 16) ^ 2).toString(16).padStart(2, "0");
  return `fe80::${first}${parts[1]}:${parts[2]}ff:fe${parts[3]}:${parts[4]}${parts[5]}`;
}

function stats(seed: number): Record<string, number> {
  return { "rx-bytes": seed * 1000, "rx-packets": seed * 10, "rx-errs": 0, "rx-dropped": 0, "tx-bytes": seed * 500, "tx-packets": seed * 5, "tx-errs": 0, "tx-dropped": 0 };
}

function agentInterfaces(call: SimCall): unknown {
  const guest = requireAnsweringAgent(call);
  const eth0 = [
    ...guest.ipv4.map((ip) => ({ "ip-address": ip, "ip-address-type": "ipv4", prefix: 24 })),
    ...guest.ipv6.map((ip) => ({ "ip-address": ip, "ip-address-type": "ipv6", prefix: 64 })),
    { "ip-address": linkLocal(guest.mac), "ip-address-type": "ipv6", prefix: 64 },
  ];
  return {
    result: [
      { name: "lo", "hardware-address": "00:00:00:00:00:00", "ip-addresses": [{ "ip-address": "127.0.0.1", "ip-address-type": "ipv4", prefix: 8 }, { "ip-address": "::1", "ip-address-type": "ipv6", prefix: 128 }], statistics: stats(1) },
      { name: "eth0", "hardware-address": guest.mac.toLowerCase(), "ip-addresses": eth0, statistics: stats(guest.vmid) },
      { name: "docker0", "hardware-address": "02:42:8e:1b:7c:01", "ip-addresses": [{ "ip-address": "172.17.0.1", "ip-address-type": "ipv4", prefix: 16 }], statistics: stats(2) },
    ],
  };
}

function lxcInterfaces(call: SimCall): unknown {
  const guest = requireGuest(call);
  if (guest.kind !== "lxc") throw new SimHttpError(501, `Method 'GET ${call.path}' not implemented`);
  if (!isRunning(guest)) return null;
  const eth0: Record<string, string> = { name: "eth0", hwaddr: guest.mac.toLowerCase() };
  // PVE keeps one address per family per interface: the last one.
  const v4 = guest.ipv4[guest.ipv4.length - 1];
  if (v4 !== undefined) eth0.inet = `${v4}/24`;
  eth0.inet6 = guest.ipv6.length > 0 ? `${guest.ipv6[guest.ipv6.length - 1]}/64` : `${linkLocal(guest.mac)}/64`;
  return [{ name: "lo", hwaddr: "00:00:00:00:00:00", inet: "127.0.0.1/8", inet6: "::1/128" }, eth0];
}

function snapshotList(call: SimCall): unknown {
  const guest = requireGuest(call);
  const rows = guest.snapshots.map((s) => {
    const row: Record<string, unknown> = { name: s.name, snaptime: s.snaptime, description: s.description };
    if (guest.kind === "qemu") row.vmstate = s.vmstate ? 1 : 0;
    if (s.parent !== undefined) row.parent = s.parent;
    return row;
  });
  const current: Record<string, unknown> = { name: "current", digest: digest(guest), running: isRunning(guest) ? 1 : 0, description: "You are here!" };
  const last = guest.snapshots[guest.snapshots.length - 1];
  if (last) current.parent = last.name;
  return [...shuffled(rows), current];
}

export const guestReadRoutes: Route[] = [
  { method: "GET", path: "/nodes/{node}/{kind}/{vmid}/status/current", handler: statusCurrent, proxied: true },
  { method: "GET", path: "/nodes/{node}/{kind}/{vmid}/config", handler: config, proxied: true },
  { method: "GET", path: "/nodes/{node}/{kind}/{vmid}/agent/network-get-interfaces", handler: agentInterfaces, proxied: true },
  { method: "GET", path: "/nodes/{node}/{kind}/{vmid}/interfaces", handler: lxcInterfaces, proxied: true },
  { method: "GET", path: "/nodes/{node}/{kind}/{vmid}/snapshot", handler: snapshotList, proxied: true },
];
