import type { DiskRow, DiskSmart, SmartAttribute } from "../pve/health-schemas.js";

/*
 * A physical disk (CONTRACT §8) from a row of /nodes/{n}/disks/list and, when read, its
 * /disks/smart answer. Pure: values in, a new value out.
 */

export type DiskType = "ssd" | "hdd" | "nvme" | "usb" | "unknown";
export type DiskHealth = "ok" | "failing" | "unknown";

export interface DiskInfo {
  node: string;
  /** "/dev/sda" */
  device: string;
  /** The device name without /dev/ ("sda", "nvme0n1"): what the topic's slug is made of. */
  name: string;
  model: string | null;
  serial: string | null;
  vendor: string | null;
  type: DiskType;
  /** Whole bytes. */
  size: number | null;
  health: DiskHealth;
  /** PVE's raw SMART word ("PASSED", "OK", "FAILED!", "UNKNOWN"), or null. */
  smart: string | null;
  /** % of rated life used, as the PVE web UI shows it: 100 − the API's wearout; null for N/A. */
  wearout: number | null;
  /** °C, or null when the SMART answer has none (or was not read). */
  temperature: number | null;
  /** What uses it (LVM, ZFS, partitions, ext4, …), or null. */
  used: string | null;
}

const DISK_TYPES: ReadonlySet<string> = new Set(["ssd", "hdd", "nvme", "usb"]);

/** Partitions (include-partitions=1) are not disks. */
export function isPartition(row: DiskRow): boolean {
  return row.type === "partition" || row.parent !== undefined;
}

/** ok for PASSED / OK (SAS), failing for FAILED (smartctl prints "FAILED!"), else unknown. */
export function diskHealth(word: string | null | undefined): DiskHealth {
  const normalized = (word ?? "").trim().toUpperCase();
  if (normalized === "PASSED" || normalized === "OK") return "ok";
  if (normalized.startsWith("FAILED")) return "failing";
  return "unknown";
}

/** 100 − the API's percent-left, at most one decimal; null for "N/A" or anything not a number 0–100. */
export function wearoutUsed(value: number | string | undefined): number | null {
  const left = typeof value === "number" ? value : typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(left) || left < 0 || left > 100) return null;
  return Math.round((100 - left) * 10) / 10;
}

const PLAUSIBLE = (celsius: number): boolean => Number.isFinite(celsius) && celsius > -40 && celsius < 150;

function attributeCelsius(attribute: SmartAttribute | undefined): number | null {
  if (!attribute || attribute.raw === undefined) return null;
  // raw is "33", "33 (Min/Max 18/52)" or "35 (0 18 0 0 0)": the first number is the current temperature.
  // A hex raw value ("0x0a0b…", vendor-packed) says nothing readable.
  const match = /^\s*(-?\d+)(?=\s|\(|$)/.exec(String(attribute.raw));
  const celsius = match ? Number(match[1]) : NaN;
  return PLAUSIBLE(celsius) ? celsius : null;
}

/** °C from the ATA attributes 194 Temperature_Celsius, else 190 Airflow_Temperature_Cel, else the NVMe / SAS text form. */
export function smartTemperature(smart: DiskSmart | null | undefined): number | null {
  if (!smart) return null;
  const byName = (name: string, id: number) => smart.attributes.find((a) => a.name === name || Number(String(a.id).trim()) === id);
  const fromAttributes = attributeCelsius(byName("Temperature_Celsius", 194)) ?? attributeCelsius(byName("Airflow_Temperature_Cel", 190));
  if (fromAttributes !== null) return fromAttributes;
  const text = smart.text ?? "";
  const match = /^Temperature:\s+(-?\d+)\s+Celsius/m.exec(text) ?? /^Current Drive Temperature:\s+(-?\d+)\s+C\b/m.exec(text);
  const celsius = match ? Number(match[1]) : NaN;
  return PLAUSIBLE(celsius) ? celsius : null;
}

const text = (value: string | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/** A disk from its list row and, if read, its SMART answer (the list's word wins for `smart`; the answer fills in when the list has none). */
export function toDiskInfo(node: string, row: DiskRow, smart?: DiskSmart | null): DiskInfo {
  const word = text(row.health) ?? text(smart?.health);
  return {
    node,
    device: row.devpath,
    name: row.devpath.replace(/^\/dev\//, ""),
    model: text(row.model),
    serial: text(row.serial),
    vendor: text(row.vendor),
    type: row.type !== undefined && DISK_TYPES.has(row.type) ? (row.type as DiskType) : "unknown",
    size: typeof row.size === "number" && Number.isFinite(row.size) ? Math.round(row.size) : null,
    health: diskHealth(word),
    smart: word,
    wearout: wearoutUsed(row.wearout),
    temperature: smartTemperature(smart),
    used: text(row.used),
  };
}

/** Every disk of a node: partitions left out; `smart` maps a device path to its SMART answer. */
export function toDiskInfos(node: string, rows: readonly DiskRow[], smart: ReadonlyMap<string, DiskSmart> = new Map()): DiskInfo[] {
  return rows.filter((row) => !isPartition(row)).map((row) => toDiskInfo(node, row, smart.get(row.devpath)));
}
