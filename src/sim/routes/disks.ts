import { requireNode, type SimCall } from "../context.js";
import type { SimDiskSpec } from "../health.js";
import { boolParam, paramError, requireParam, SimHttpError } from "../http-error.js";
import type { Route } from "../router.js";

function allowedNode(call: SimCall): string {
  const node = requireNode(call).name;
  if (!call.ctx.health.of(node).disksAllowed) throw new SimHttpError(403, "Permission check failed (/, Sys.Audit)");
  return node;
}

const partitionPath = (disk: SimDiskSpec, n: number): string => (disk.type === "nvme" ? `${disk.devpath}p${n}` : `${disk.devpath}${n}`);

/** GET /nodes/{n}/disks/list: whole disks only unless include-partitions=1; skipsmart=1 leaves health UNKNOWN and wearout N/A. */
function diskList(call: SimCall): unknown {
  const node = allowedNode(call);
  const partitions = boolParam(call.args, "include-partitions") === true;
  const skipSmart = boolParam(call.args, "skipsmart") === true;
  const rows: Record<string, unknown>[] = [];
  const disks = [...call.ctx.health.of(node).disks].sort((a, b) => a.devpath.localeCompare(b.devpath));
  for (const disk of disks) {
    const name = disk.devpath.slice("/dev/".length);
    const row: Record<string, unknown> = {
      devpath: disk.devpath,
      type: disk.type,
      size: disk.size,
      model: disk.model,
      serial: disk.serial,
      wwn: disk.type === "usb" ? "unknown" : `0x5000${name.length}${disk.serial.length}0c500a1b2c3`,
      health: skipSmart ? "UNKNOWN" : disk.health,
      wearout: skipSmart ? "N/A" : disk.wearout,
      rpm: disk.rpm,
      gpt: disk.partitions ? 1 : 0,
      by_id_link: `/dev/disk/by-id/${disk.type === "nvme" ? "nvme" : disk.type === "usb" ? "usb" : "ata"}-${disk.model.replace(/\s+/g, "_")}_${disk.serial}`,
      osdid: -1,
      "osdid-list": null,
    };
    if (disk.vendor !== undefined) row.vendor = disk.vendor;
    if (disk.used !== undefined) row.used = disk.used;
    if (disk.used === "ext4") row.mounted = 1;
    rows.push(row);
    if (!partitions) continue;
    for (let n = 1; n <= (disk.partitions ?? 0); n++) {
      rows.push({
        devpath: partitionPath(disk, n),
        parent: disk.devpath,
        type: "partition",
        size: Math.floor(disk.size / (disk.partitions ?? 1)),
        gpt: 1,
        used: n === 1 && (disk.partitions ?? 0) > 1 ? "BIOS boot" : disk.used ?? "ext4",
        osdid: -1,
        "osdid-list": null,
      });
    }
  }
  return rows;
}

/** ATA attributes as PVE parses `smartctl -A -f brief`: id is the 3-character column ("  9", "194"). */
function ataAttributes(disk: SimDiskSpec): Record<string, unknown>[] {
  const attribute = (id: number, name: string, flags: string, value: number, worst: number, threshold: number, raw: string) => ({
    id: String(id).padStart(3), name, flags, value, normalized: value, worst, threshold, fail: "-", raw,
  });
  const rows = [
    attribute(1, "Raw_Read_Error_Rate", "POSR-K", 100, 100, 0, "0"),
    attribute(9, "Power_On_Hours", "-O--CK", 91, 91, 0, "39468"),
    attribute(12, "Power_Cycle_Count", "-O--CK", 100, 100, 0, "61"),
  ];
  if (disk.type === "ssd" && typeof disk.wearout === "number") rows.push(attribute(202, "Percent_Lifetime_Remain", "P---CK", disk.wearout, disk.wearout, 1, String(100 - disk.wearout)));
  if (disk.health.startsWith("FAILED")) rows.push(attribute(5, "Reallocated_Sector_Ct", "PO--CK", 1, 1, 10, "4088"));
  if (disk.temperature !== null) {
    if (disk.temperatureAttribute === 190) {
      rows.push(attribute(190, "Airflow_Temperature_Cel", "-O---K", 100 - disk.temperature, 48, 0, String(disk.temperature)));
    } else {
      rows.push(attribute(194, "Temperature_Celsius", "-O---K", 100 - disk.temperature, 48, 0, `${disk.temperature} (Min/Max 18/52)`));
    }
  }
  return rows;
}

function nvmeText(disk: SimDiskSpec): string {
  const used = typeof disk.wearout === "number" ? 100 - disk.wearout : 0;
  const lines = ["Critical Warning:                   0x00"];
  if (disk.temperature !== null) lines.push(`Temperature:                        ${disk.temperature} Celsius`);
  lines.push("Available Spare:                    100%", "Available Spare Threshold:          10%", `Percentage Used:                    ${used}%`,
    "Data Units Read:                    23,437,761 [12.0 TB]", "Data Units Written:                 19,301,552 [9.88 TB]", "Power On Hours:                     21,042",
    "Unsafe Shutdowns:                   37", "Media and Data Integrity Errors:    0");
  if (disk.temperature !== null) lines.push(`Temperature Sensor 1:               ${disk.temperature} Celsius`, `Temperature Sensor 2:               ${disk.temperature + 6} Celsius`);
  return `${lines.join("\n")}\n`;
}

function sasText(disk: SimDiskSpec): string {
  const used = typeof disk.wearout === "number" ? 100 - disk.wearout : 0;
  const lines = ["", `Percentage used endurance indicator: ${used}%`];
  if (disk.temperature !== null) lines.push(`Current Drive Temperature:     ${disk.temperature} C`);
  lines.push("Drive Trip Temperature:        70 C", "", "Accumulated power on time, hours:minutes 31204:12", "Elements in grown defect list: 0");
  return `${lines.join("\n")}\n`;
}

/** GET /nodes/{n}/disks/smart?disk=/dev/sda: ATA attributes, or the NVMe/SAS text form, or only health UNKNOWN when smartctl failed. */
function diskSmart(call: SimCall): unknown {
  const node = allowedNode(call);
  const path = requireParam(call.args, "disk");
  if (!/^\/dev\/[a-zA-Z0-9/]+$/.test(path)) throw paramError({ disk: `value does not match the regex pattern` });
  const disk = call.ctx.health.of(node).disks.find((candidate) => candidate.devpath === path);
  if (!disk) throw new SimHttpError(500, `${path} is not a block device`);
  if (boolParam(call.args, "healthonly") === true) return { health: disk.smart === "none" ? "UNKNOWN" : disk.health };
  switch (disk.smart) {
    case "ata":
      return { health: disk.health, type: "ata", attributes: ataAttributes(disk) };
    case "nvme":
      return { health: disk.health, type: "text", text: nvmeText(disk), ...(typeof disk.wearout === "number" ? { wearout: disk.wearout } : {}) };
    case "sas":
      return { health: disk.health, type: "text", text: sasText(disk), ...(typeof disk.wearout === "number" ? { wearout: disk.wearout } : {}) };
    case "none":
      return { health: "UNKNOWN" };
  }
}

/** GET /nodes/{n}/disks/zfs: `zpool list -Hp` as numbers. */
function zfsList(call: SimCall): unknown {
  const node = allowedNode(call);
  return call.ctx.health.of(node).pools.map((pool) => ({
    name: pool.name, size: pool.size, alloc: pool.alloc, free: pool.size - pool.alloc, frag: pool.frag, dedup: pool.dedup, health: pool.health,
  }));
}

export const diskRoutes: Route[] = [
  { method: "GET", path: "/nodes/{node}/disks/list", handler: diskList, proxied: true, params: ["include-partitions", "skipsmart", "type"] },
  { method: "GET", path: "/nodes/{node}/disks/smart", handler: diskSmart, proxied: true, params: ["disk", "healthonly"] },
  { method: "GET", path: "/nodes/{node}/disks/zfs", handler: zfsList, proxied: true, params: [] },
];
