import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { CATALOG, hasMetric, type MeasuredRow, type Row } from "../catalog/index.js";
import { allDisks, allPools } from "../inventory/health.js";
import type { PollOutcome } from "../inventory/poller.js";
import { guestCounts, guestSource, nodeSource, storageSource } from "../state/sources.js";

/** What the cluster gauges are read from at scrape time. */
export interface MetricsSource {
  outcome(): PollOutcome | null;
  mqttPublished(): number;
  /** WebSocket clients of the web panel now (0 without a panel). */
  panelClients(): number;
}

/**
 * The bridge's Prometheus metrics: its own figures (counters updated as things happen) and the
 * cluster's (a gauge per catalog row that asks for one, read from the latest poll at scrape time). One registry per bridge.
 */
export class BridgeMetrics {
  readonly registry = new Registry();
  readonly polls: Counter<"result">;
  readonly pollDuration: Histogram;
  readonly pveRequests: Counter<"method" | "endpoint" | "status">;
  readonly failovers: Counter;
  readonly logins: Counter<"kind">;
  readonly commands: Counter<"action" | "result">;
  private source: MetricsSource | null = null;

  constructor() {
    const registers = [this.registry];
    this.polls = new Counter({ name: "pve2mqtt_polls_total", help: "Poll cycles by result", labelNames: ["result"], registers });
    this.pollDuration = new Histogram({
      name: "pve2mqtt_poll_duration_seconds",
      help: "Duration of a poll cycle",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.pveRequests = new Counter({
      name: "pve2mqtt_pve_requests_total",
      help: "PVE API requests by method, endpoint (ids replaced by placeholders) and HTTP status (0: no answer)",
      labelNames: ["method", "endpoint", "status"],
      registers,
    });
    this.failovers = new Counter({ name: "pve2mqtt_pve_failovers_total", help: "Times a PVE host was put aside and another one used", registers });
    this.logins = new Counter({ name: "pve2mqtt_pve_logins_total", help: "PVE ticket logins and renewals", labelNames: ["kind"], registers });
    this.commands = new Counter({ name: "pve2mqtt_commands_total", help: "Commands by action and final result", labelNames: ["action", "result"], registers });
    this.defineClusterGauges(registers);
  }

  /** One PVE request attempt, labelled by endpoint template (bounded label values). */
  countRequest(request: { method: string; path: string; status: number }): void {
    this.pveRequests.inc({ method: request.method, endpoint: endpointLabel(request.path), status: String(request.status) });
  }

  attach(source: MetricsSource): void {
    this.source = source;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private defineClusterGauges(registers: Registry[]): void {
    const source = () => this.source;
    new Counter({
      name: "pve2mqtt_mqtt_messages_published_total",
      help: "MQTT messages published by the bridge",
      registers,
      collect() {
        this.reset();
        this.inc(source()?.mqttPublished() ?? 0);
      },
    });

    new Gauge({
      name: "pve2mqtt_panel_clients",
      help: "Browsers and scripts following the web panel's WebSocket now",
      registers,
      collect() {
        this.set(source()?.panelClients() ?? 0);
      },
    });

    defineCatalogGauges(registers, () => source()?.outcome() ?? null);
  }
}

type Labels = Record<string, string>;

/** One kind's devices at scrape time: each one's labels and the source its rows read. */
interface KindDevices<S> {
  kind: "node" | "guest" | "storage" | "disk" | "zfs";
  labelNames: readonly string[];
  devices: (outcome: PollOutcome) => Array<{ labels: Labels; source: S }>;
}

const KINDS: KindDevices<never>[] = [
  {
    kind: "node",
    labelNames: ["node"],
    devices: (outcome) => {
      const counts = guestCounts(outcome.inventory);
      return outcome.inventory.nodes.map((node) => ({ labels: { node: node.name }, source: nodeSource(node, outcome, counts, undefined, outcome.inventory.takenAt) as never }));
    },
  },
  {
    kind: "guest",
    labelNames: ["node", "vmid", "name", "type"],
    devices: (outcome) =>
      outcome.inventory.guests.map((guest) => ({
        labels: { node: guest.node, vmid: String(guest.vmid), name: guest.name ?? "", type: guest.kind },
        source: guestSource(guest, outcome, null, undefined, outcome.inventory.takenAt) as never,
      })),
  },
  {
    kind: "storage",
    labelNames: ["node", "storage", "type"],
    devices: (outcome) =>
      outcome.inventory.storages.map((storage) => ({ labels: { node: storage.node, storage: storage.storage, type: storage.type ?? "" }, source: storageSource(storage) as never })),
  },
  {
    kind: "disk",
    labelNames: ["node", "disk", "model"],
    devices: (outcome) =>
      allDisks(outcome.health).map((disk) => ({ labels: { node: disk.node, disk: disk.name, model: disk.model ?? "" }, source: { disk } as never })),
  },
  {
    kind: "zfs",
    labelNames: ["node", "pool"],
    devices: (outcome) =>
      allPools(outcome.health).map((pool) => ({ labels: { node: pool.node, pool: pool.pool }, source: { pool } as never })),
  },
];

/** A gauge's number for a row's value: the row's own conversion, else the value when it is a finite number. */
function gaugeValue(row: MeasuredRow<never>, source: never): number | null {
  const value = row.get(source);
  const number = row.metric.value ? row.metric.value(value as never) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : null;
}

/** One gauge per catalog row that asks for one, read from the latest poll at scrape time. */
function defineCatalogGauges(registers: Registry[], outcome: () => PollOutcome | null): void {
  for (const kind of KINDS) {
    const rows: readonly Row<never>[] = CATALOG[kind.kind];
    for (const row of rows.filter(hasMetric)) {
      const { name, help } = row.metric;
      new Gauge({
        name,
        help,
        labelNames: kind.labelNames,
        registers,
        collect() {
          this.reset();
          const current = outcome();
          if (!current) return;
          for (const device of kind.devices(current)) {
            const value = gaugeValue(row, device.source);
            if (value !== null) this.set(device.labels, value);
          }
        },
      });
    }
  }
}

/** `/nodes/pve1/qemu/100/status/start` → `/nodes/{node}/qemu/{vmid}/status/start`: bounded label values. */
export function endpointLabel(path: string): string {
  return path
    .replace(/^\/nodes\/[^/]+/, "/nodes/{node}")
    .replace(/\/(qemu|lxc)\/\d+/, "/$1/{vmid}")
    .replace(/\/storage\/[^/]+/, "/storage/{storage}")
    .replace(/\/tasks\/[^/]+/, "/tasks/{upid}")
    .replace(/\/snapshot\/[^/]+/, "/snapshot/{name}");
}
