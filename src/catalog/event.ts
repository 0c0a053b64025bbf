/**
 * The cluster's `event` entity: fires for each PVE notification received on the webhook and
 * published on `B/bridge/event` (CONTRACT 9). The message carries `event_type` (its `type` when
 * it is one of EVENT_TYPES, else "other"), which Home Assistant reads; its other fields become the
 * event's attributes.
 */
import type { ControlRow } from "./row.js";

export const EVENT_TYPES = ["vzdump", "package-updates", "fencing", "replication", "system-mail", "other"] as const;

export const EVENT_ROW: ControlRow = {
  entity: {
    key: "notification",
    component: "event",
    source: "event",
    icon: "mdi:bell-ring-outline",
    extra: { event_types: [...EVENT_TYPES] },
  },
};
