import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Inventory } from "../inventory/types.js";

/** What the cluster gauges are read from at scrape time. */
export interface MetricsSource {
  inventory(): Inventory | null;
  mqttPublished(): number;
}

/**
 * The bridge's Prometheus metrics: its own figures (counters updated as things happen) and the
 * cluster's (gauges read from the latest inventory at scrape time). One registry per bridge.
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

    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (g: Gauge<L>, inventory: Inventory) => void) =>
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          const inventory = source()?.inventory();
          if (inventory) fill(this, inventory);
        },
      });
    const set = <L extends string>(g: Gauge<L>, labels: Record<L, string>, value: number | null) => {
      if (value !== null && Number.isFinite(value)) g.set(labels, value);
    };

    const nodeLabels = ["node"] as const;
    gauge("pve_node_up", "1 when the node is online", nodeLabels, (g, inv) => inv.nodes.forEach((n) => g.set({ node: n.name }, n.status === "online" ? 1 : 0)));
    gauge("pve_node_cpu_ratio", "Node CPU usage, 0..1", nodeLabels, (g, inv) => inv.nodes.forEach((n) => set(g, { node: n.name }, n.cpu)));
    gauge("pve_node_memory_used_bytes", "Node memory used", nodeLabels, (g, inv) => inv.nodes.forEach((n) => set(g, { node: n.name }, n.memUsed)));
    gauge("pve_node_memory_total_bytes", "Node memory total", nodeLabels, (g, inv) => inv.nodes.forEach((n) => set(g, { node: n.name }, n.memTotal)));
    gauge("pve_node_rootfs_used_bytes", "Node root filesystem used", nodeLabels, (g, inv) => inv.nodes.forEach((n) => set(g, { node: n.name }, n.rootfsUsed)));
    gauge("pve_node_uptime_seconds", "Node uptime", nodeLabels, (g, inv) => inv.nodes.forEach((n) => set(g, { node: n.name }, n.uptime)));

    const guestLabels = ["node", "vmid", "name", "type"] as const;
    const guestGauge = (name: string, help: string, value: (guest: Inventory["guests"][number]) => number | null) =>
      gauge(name, help, guestLabels, (g, inv) =>
        inv.guests.forEach((guest) =>
          set(g, { node: guest.node, vmid: String(guest.vmid), name: guest.name ?? "", type: guest.kind }, value(guest)),
        ),
      );
    guestGauge("pve_guest_up", "1 when the guest is running", (guest) => (guest.status === "running" ? 1 : 0));
    guestGauge("pve_guest_cpu_ratio", "Guest CPU usage, 0..1 of its vCPUs", (guest) => guest.cpu);
    guestGauge("pve_guest_memory_used_bytes", "Guest memory used", (guest) => guest.memUsed);
    guestGauge("pve_guest_memory_total_bytes", "Guest memory size", (guest) => guest.memTotal);
    guestGauge("pve_guest_disk_used_bytes", "Container disk used (not known for VMs)", (guest) => guest.diskUsed);
    guestGauge("pve_guest_disk_total_bytes", "Guest boot disk / root filesystem size", (guest) => guest.diskTotal);
    guestGauge("pve_guest_network_receive_bytes", "Bytes received since the guest started", (guest) => guest.counters?.netin ?? null);
    guestGauge("pve_guest_network_transmit_bytes", "Bytes sent since the guest started", (guest) => guest.counters?.netout ?? null);
    guestGauge("pve_guest_disk_read_bytes", "Bytes read since the guest started", (guest) => guest.counters?.diskread ?? null);
    guestGauge("pve_guest_disk_written_bytes", "Bytes written since the guest started", (guest) => guest.counters?.diskwrite ?? null);
    guestGauge("pve_guest_uptime_seconds", "Guest uptime", (guest) => guest.uptime);

    const storageLabels = ["node", "storage", "type"] as const;
    const storageGauge = (name: string, help: string, value: (storage: Inventory["storages"][number]) => number | null) =>
      gauge(name, help, storageLabels, (g, inv) =>
        inv.storages.forEach((s) => set(g, { node: s.node, storage: s.storage, type: s.type ?? "" }, value(s))),
      );
    storageGauge("pve_storage_up", "1 when the storage is available", (s) => (s.status === "available" ? 1 : 0));
    storageGauge("pve_storage_used_bytes", "Storage used", (s) => s.used);
    storageGauge("pve_storage_total_bytes", "Storage size", (s) => s.total);
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
