/** What GET /api/meta answers (src/http/panel/meta.ts). */
export interface Meta {
  version: string;
  base_topic: string;
  language: string;
  texts: Record<string, string>;
  actions: {
    read_only: boolean;
    read_only_reason: string | null;
    enabled: boolean;
    allow: string[];
    node_power: boolean;
    backup: { storage: string | null; mode: string; compress: string };
  };
  columns: Column[];
}

export type Kind = "node" | "guest" | "storage" | "disk" | "zfs";

export interface Column {
  kind: Kind;
  field: string;
  label: string;
  format: "percent" | "bytes" | "rate" | "duration" | "time" | "text" | "number" | "bool";
}

/** One WebSocket message from the server. */
export interface Message {
  topic: string;
  payload: unknown;
}

export type State = Record<string, unknown>;

/** The latest outcome of a command sent to a device, as shown beside it. */
export interface ActionResult {
  action: string | null;
  status: "sending" | "started" | "ok" | "error";
  error?: string | null;
}

export interface PanelEvent {
  time: string;
  topic: string;
  payload: unknown;
  /** To recognise the same event arriving both live and from GET /api/events. */
  key: string;
}

export type Texts = (key: string, vars?: Record<string, string | number>) => string;
