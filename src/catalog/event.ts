/**
 * The cluster's `event` entity: fires for each PVE notification received on the webhook and
 * published on `B/bridge/event` (CONTRACT 9). Home Assistant reads the event type from the
 * message's `type` and keeps its other fields as the event's attributes.
 */
import type { ControlRow } from "./row.js";

export const EVENT_TYPES = ["vzdump", "package-updates", "fencing", "replication", "system-mail", "other"] as const;

export const EVENT_ROW: ControlRow = {
  entity: {
    key: "notification",
    component: "event",
    source: "event",
    icon: "mdi:bell-ring-outline",
    template:
      "{{ {'event_type': value_json.type if value_json.type in ['vzdump', 'package-updates', 'fencing', 'replication', 'system-mail'] else 'other', " +
      "'severity': value_json.severity, 'title': value_json.title, 'message': value_json.message, 'hostname': value_json.hostname, " +
      "'job_id': value_json.job_id, 'time': value_json.time} | tojson }}",
    extra: { event_types: [...EVENT_TYPES] },
  },
};
