import type { GuestConfig } from "../pve/schemas.js";

/** PVE's `ostype` words and the names shown for them (CONTRACT section 4). */
const OS_NAMES: Record<string, string | null> = {
  l24: "Linux",
  l26: "Linux",
  w2k: "Windows 2000",
  w2k3: "Windows Server 2003",
  w2k8: "Windows Server 2008",
  wvista: "Windows Vista",
  win7: "Windows 7",
  win8: "Windows 8/2012",
  win10: "Windows 10/2016/2019",
  win11: "Windows 11/2022",
  solaris: "Solaris",
  debian: "Debian",
  ubuntu: "Ubuntu",
  centos: "CentOS",
  fedora: "Fedora",
  opensuse: "openSUSE",
  archlinux: "Arch Linux",
  alpine: "Alpine Linux",
  gentoo: "Gentoo",
  nixos: "NixOS",
  unmanaged: null,
  other: null,
};

/** The name of a config's `ostype`; anything unlisted title-cased; null when absent. */
export function osFromConfig(config: GuestConfig): string | null {
  const ostype = config.ostype;
  if (typeof ostype !== "string" || ostype.trim() === "") return null;
  const word = ostype.trim().toLowerCase();
  if (word in OS_NAMES) return OS_NAMES[word]!;
  return word.charAt(0).toUpperCase() + word.slice(1);
}
