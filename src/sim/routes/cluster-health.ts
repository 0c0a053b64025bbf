import { requireNode, type SimCall } from "../context.js";
import { SimHttpError } from "../http-error.js";
import type { SimGuest } from "../model.js";
import type { Route } from "../router.js";

/** GET /nodes/{n}/apt/update: the pending upgrades; 403 without Sys.Modify on /nodes/<n>, which PVEAuditor lacks. */
function aptUpdates(call: SimCall): unknown {
  const node = requireNode(call).name;
  const health = call.ctx.health.of(node);
  if (!health.updatesAllowed) throw new SimHttpError(403, `Permission check failed (/nodes/${node}, Sys.Modify)`);
  return health.updates.map((update) => ({ ...update }));
}

function localTime(epochSec: number): string {
  // Perl's scalar localtime(): "Tue Jul 30 10:00:00 2024" (the simulator's hosts run on UTC).
  const d = new Date(epochSec * 1000);
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()}`;
}

const sidOf = (guest: SimGuest): string => `${guest.kind === "qemu" ? "vm" : "ct"}:${guest.vmid}`;

/**
 * GET /cluster/ha/status/current, as pve-ha-manager builds it: the `quorum` entry first (status "OK"
 * or "No quorum on node '<n>'!"), the `master` entry and one `lrm` entry per node once HA manages
 * something, on PVE 9 a `fencing` entry with `armed-state`, then one `service` entry per HA guest.
 */
function haStatus(call: SimCall): unknown {
  const { model, settings, health } = call.ctx;
  const local = call.ctx.hostNode(call.host);
  const nodes = [...model.nodes.values()];
  const quorate = nodes.filter((node) => node.online).length * 2 > nodes.length;
  const rows: Record<string, unknown>[] = [
    { id: "quorum", type: "quorum", node: local, status: quorate ? "OK" : `No quorum on node '${local}'!`, quorate: quorate ? 1 : 0 },
  ];
  const managed = [...model.guests.values()].filter((guest) => guest.ha).sort((a, b) => a.vmid - b.vmid);
  const now = Math.floor(model.now() / 1000);
  const master = managed.length > 0 ? nodes.find((node) => node.online)?.name : undefined;
  if (master !== undefined) rows.push({ id: "master", type: "master", node: master, status: `${master} (active, ${localTime(now)})`, timestamp: now });
  if (Number.parseInt(settings.version, 10) >= 9) {
    const disarm = health.haDisarm;
    if (disarm !== null) {
      const released = disarm === "disarmed";
      rows.push({ id: "fencing", type: "fencing", node: master ?? local, status: `${disarm}, resource mode: freeze (CRM watchdog ${released ? "released" : "active"})`, "armed-state": disarm, resource_mode: "freeze" });
    } else {
      const state = master !== undefined ? "armed" : "standby";
      rows.push({ id: "fencing", type: "fencing", node: master ?? local, status: `${state} (CRM watchdog ${master !== undefined ? "active" : "standby"})`, "armed-state": state });
    }
  }
  if (master !== undefined) {
    for (const node of [...nodes].sort((a, b) => a.name.localeCompare(b.name))) {
      const active = managed.some((guest) => guest.node === node.name);
      const state = !node.online ? "old timestamp - dead?" : active ? "active" : "idle";
      const stamp = node.online ? now : now - 120;
      rows.push({ id: `lrm:${node.name}`, type: "lrm", node: node.name, status: `${node.name} (${state}, ${localTime(stamp)})`, timestamp: stamp });
    }
  }
  for (const guest of managed) {
    const state = guest.hastate ?? "started";
    rows.push({
      id: `service:${sidOf(guest)}`, type: "service", sid: sidOf(guest), node: guest.node, crm_state: state, state, request_state: state,
      status: `${sidOf(guest)} (${guest.node}, ${state})`, max_restart: 1, max_relocate: 1,
    });
  }
  return rows;
}

const CEPH_CHECKS = {
  HEALTH_OK: {},
  HEALTH_WARN: { OSD_DOWN: { severity: "HEALTH_WARN", summary: { message: "1 osds down", count: 1 }, muted: false } },
  HEALTH_ERR: { PG_DAMAGED: { severity: "HEALTH_ERR", summary: { message: "Possible data damage: 1 pg inconsistent", count: 1 }, muted: false } },
} as const;

/** GET /cluster/ceph/status: `ceph status` as JSON when this cluster runs Ceph; 500 otherwise (also for an external Ceph). */
function cephStatus(call: SimCall): unknown {
  const { model, health } = call.ctx;
  const hasCeph = [...model.storages.values()].some((storage) => storage.type === "rbd" || storage.type === "cephfs");
  if (!hasCeph || health.ceph.external) throw new SimHttpError(500, "binary not installed: /usr/bin/ceph-mon");
  const names = [...model.nodes.keys()];
  const osds = names.length * 2;
  const down = health.ceph.health === "HEALTH_WARN" ? 1 : 0;
  return {
    fsid: "5e5b2c1a-7c8e-4b3e-9d1c-2a6f0e4b8c11",
    health: { status: health.ceph.health, checks: CEPH_CHECKS[health.ceph.health], mutes: [] },
    election_epoch: 42,
    quorum: names.map((_, index) => index),
    quorum_names: names,
    quorum_age: 86400,
    osdmap: { epoch: 1234, num_osds: osds, num_up_osds: osds - down, num_in_osds: osds, num_remapped_pgs: 0 },
    pgmap: { num_pgs: 129, num_pools: 2, num_objects: 51234, data_bytes: 412316860416, bytes_used: 1236950581248, bytes_avail: 6442450944000, bytes_total: 7679401525248 },
  };
}

export const clusterHealthRoutes: Route[] = [
  { method: "GET", path: "/nodes/{node}/apt/update", handler: aptUpdates, proxied: true, params: [] },
  { method: "GET", path: "/cluster/ha/status/current", handler: haStatus, params: [] },
  { method: "GET", path: "/cluster/ceph/status", handler: cephStatus, params: [] },
];
