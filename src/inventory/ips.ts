import type { AgentInterface, GuestConfig, LxcInterface } from "../pve/schemas.js";

/** A guest's addresses, as shown: no loopback, no link-local, no container bridges, no prefixes. */
export interface GuestIps {
  ipv4: string[];
  ipv6: string[];
}

/** Interfaces of container runtimes and loopback inside the guest: their addresses mean nothing outside. */
const IGNORED_INTERFACE = /^(lo|docker.*|br-.*|veth.*|cni.*|flannel.*)$/i;

function stripPrefix(address: string): string {
  return address.split("/")[0]!.split("%")[0]!.trim();
}

function isIpv4(address: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
}

function isUseful(address: string): boolean {
  if (isIpv4(address)) return !address.startsWith("127.") && !address.startsWith("169.254.") && address !== "0.0.0.0";
  const lower = address.toLowerCase();
  // ::1 loopback, fe80::/10 link-local, :: unspecified
  return lower !== "::1" && lower !== "::" && !/^fe[89ab][0-9a-f]?:/.test(lower);
}

function collect(entries: Array<{ iface: string; address: string | undefined }>): GuestIps {
  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  for (const { iface, address } of entries) {
    if (address === undefined || IGNORED_INTERFACE.test(iface)) continue;
    const bare = stripPrefix(address);
    if (bare === "" || !isUseful(bare)) continue;
    if (isIpv4(bare)) ipv4.add(bare);
    else if (bare.includes(":")) ipv6.add(bare);
  }
  return { ipv4: [...ipv4], ipv6: [...ipv6] };
}

/** From the qemu guest agent's `network-get-interfaces`. */
export function ipsFromAgent(interfaces: AgentInterface[]): GuestIps {
  const entries: Array<{ iface: string; address: string | undefined }> = [];
  for (const iface of interfaces) for (const entry of iface["ip-addresses"] ?? []) entries.push({ iface: iface.name, address: entry["ip-address"] });
  return collect(entries);
}

/** From `/lxc/{vmid}/interfaces` (`inet: "a.b.c.d/nn"`). */
export function ipsFromLxc(interfaces: LxcInterface[]): GuestIps {
  const entries: Array<{ iface: string; address: string | undefined }> = [];
  for (const iface of interfaces) entries.push({ iface: iface.name, address: iface.inet }, { iface: iface.name, address: iface.inet6 });
  return collect(entries);
}

/** Static `ip=`/`ip6=` of a CT's `netN` lines (dhcp, auto and manual say nothing). */
export function ipsFromLxcConfig(config: GuestConfig): GuestIps {
  const lines = Object.entries(config)
    .filter(([key]) => /^net\d+$/.test(key))
    .sort(([a], [b]) => Number(a.slice(3)) - Number(b.slice(3)));
  const entries = lines.flatMap(([, value]) => {
    const fields = new Map(String(value).split(",").map((part) => part.split("=", 2) as [string, string | undefined]));
    const iface = fields.get("name") ?? "eth";
    return [fields.get("ip"), fields.get("ip6")]
      .filter((address): address is string => address !== undefined && !["dhcp", "auto", "manual"].includes(address))
      .map((address) => ({ iface, address }));
  });
  return collect(entries);
}

const TRUE_WORDS = new Set(["1", "yes", "on", "true"]);

/** `agent: 1`, `"1"`, `"enabled=1,fstrim_cloned_disks=1"`, `"1,type=virtio"`. */
export function agentEnabled(config: GuestConfig): boolean {
  const value = config["agent"];
  if (value === undefined) return false;
  if (typeof value === "number") return value === 1;
  const parts = value.split(",").map((part) => part.trim().toLowerCase());
  const explicit = parts.find((part) => part.startsWith("enabled="));
  const flag = explicit !== undefined ? explicit.slice("enabled=".length) : parts[0]!.includes("=") ? "0" : parts[0]!;
  return TRUE_WORDS.has(flag);
}
