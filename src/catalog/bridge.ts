/**
 * The bridge's own entities (the health panel). They read the retained `B/bridge/info` JSON, which
 * src/publish/info.ts builds whole (it carries more than these rows: each host's health, counts).
 */
import type { BridgeInfo } from "../publish/info.js";
import { diagnostic, onOffSensor, refreshButton, timestampSensor } from "./entities.js";
import { rowsFor, type ControlRow } from "./row.js";

const row = rowsFor<BridgeInfo>();

export const BRIDGE_VALUES = [
  row("pve_version", (info) => info.pve_version, { entity: diagnostic("mdi:information-outline") }),
  row("cluster", (info) => info.cluster, { entity: diagnostic("mdi:server-network") }),
  row("quorate", (info) => info.quorate, { entity: onOffSensor("quorate", { icon: "mdi:vote" }) }),
  row("connected_host", (info) => info.connected_host, { entity: diagnostic("mdi:server-network") }),
  row("last_poll", (info) => info.last_poll, { entity: timestampSensor({ category: "diagnostic" }) }),
  row("last_poll_duration", (info) => info.last_poll_duration, {
    entity: { component: "sensor", deviceClass: "duration", unit: "s", stateClass: "measurement", precision: 2, category: "diagnostic" },
  }),
  row("version", (info) => info.version, { entity: diagnostic("mdi:information-outline") }),
] as const;

export const BRIDGE_CONTROLS: ControlRow[] = [
  { entity: { key: "connection", component: "binary_sensor", deviceClass: "connectivity", source: "state", payloadOn: "online", payloadOff: "offline", reportsReachability: true } },
  refreshButton,
];
