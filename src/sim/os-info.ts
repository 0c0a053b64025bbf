/** What a guest agent's `guest-get-osinfo` reports for a few common guests (qemu-ga reads os-release). */
export type SimOsInfo = Readonly<Record<string, string>>;

export const DEBIAN_12: SimOsInfo = {
  id: "debian",
  name: "Debian GNU/Linux",
  "pretty-name": "Debian GNU/Linux 12 (bookworm)",
  version: "12 (bookworm)",
  "version-id": "12",
  "kernel-release": "6.1.0-25-amd64",
  "kernel-version": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.106-3 (2024-08-26)",
  machine: "x86_64",
};

export const UBUNTU_24_04: SimOsInfo = {
  id: "ubuntu",
  name: "Ubuntu",
  "pretty-name": "Ubuntu 24.04.1 LTS",
  version: "24.04.1 LTS (Noble Numbat)",
  "version-id": "24.04",
  "kernel-release": "6.8.0-45-generic",
  "kernel-version": "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024",
  machine: "x86_64",
};

export const HAOS_13: SimOsInfo = {
  id: "haos",
  name: "Home Assistant OS",
  "pretty-name": "Home Assistant OS 13.2",
  version: "13.2",
  "version-id": "13.2",
  "kernel-release": "6.6.54-haos",
  "kernel-version": "#1 SMP PREEMPT_DYNAMIC Tue Oct 15 10:58:33 UTC 2024",
  machine: "x86_64",
};

const LINUX_GUESTS: readonly SimOsInfo[] = [DEBIAN_12, UBUNTU_24_04, HAOS_13];

/** A generated guest's OS, chosen by vmid (not by the seeded random, so the rest of a generated fleet stays as it was). */
export function osInfoFor(vmid: number): SimOsInfo {
  return LINUX_GUESTS[vmid % LINUX_GUESTS.length]!;
}
