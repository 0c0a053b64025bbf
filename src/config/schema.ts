import { z } from "zod";
import { SchedulesSetting } from "../schedules/config.js";

/** Every action a `/set` topic can carry (CONTRACT section 6). */
export const GUEST_ACTIONS = ["start", "shutdown", "stop", "reboot", "suspend", "resume", "snapshot", "snapshot_delete", "backup", "rollback"] as const;
/** `rollback` is allowed only when a user lists it. */
export const DEFAULT_ALLOWED_ACTIONS = GUEST_ACTIONS.filter((action) => action !== "rollback");
export const NODE_ACTIONS = ["reboot", "shutdown", "startall", "stopall"] as const;
export type GuestAction = (typeof GUEST_ACTIONS)[number];
export type NodeAction = (typeof NODE_ACTIONS)[number];

export const LANGUAGES = ["en", "fr", "de"] as const;
export type Language = (typeof LANGUAGES)[number];

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A list given as a YAML list, a JSON array string or a comma-separated string. */
function listOf<T extends z.ZodTypeAny>(item: T) {
  return z.preprocess((value) => {
    if (typeof value !== "string") return value;
    const text = value.trim();
    if (text.startsWith("[")) {
      try {
        return JSON.parse(text);
      } catch {
        return value;
      }
    }
    return text === "" ? [] : text.split(",").map((part) => part.trim()).filter((part) => part !== "");
  }, z.array(item));
}

/** Booleans from the environment arrive as strings. */
const bool = z.preprocess((value) => {
  if (typeof value !== "string") return value;
  const text = value.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(text)) return true;
  if (["false", "0", "no", "off"].includes(text)) return false;
  return value;
}, z.boolean());

/** Numbers from the environment arrive as strings. */
const num = z.preprocess((value) => (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value)) ? Number(value) : value), z.number());
const port = num.pipe(z.number().int().min(1).max(65535));
const nonEmpty = z.string().trim().min(1);
/** Seconds between two reads of a slow detail; 0 turns it off. */
const seconds = num.pipe(z.number().int().min(0));
/** Secrets are taken verbatim: a space at either end may be part of the password. */
const secret = z.string().min(1);

export interface HostSpec {
  /** The host name or IP as given, without scheme or port. */
  host: string;
  port: number;
  /** `https://host:port`, the origin every request to this host goes to. */
  origin: string;
}

const HOST_PATTERN = /^(?:https:\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/;

/** Parses `host`, `host:port` or `https://host:port`; returns null when it is none of these. */
export function parseHost(text: string, defaultPort: number): HostSpec | null {
  const match = HOST_PATTERN.exec(text.trim());
  if (!match) return null;
  const host = match[1]!;
  const portNumber = match[2] ? Number(match[2]) : defaultPort;
  if (portNumber < 1 || portNumber > 65535) return null;
  return { host, port: portNumber, origin: `https://${host}:${portNumber}` };
}

const BackupDefaults = z
  .object({
    storage: nonEmpty.optional(),
    mode: z.enum(["snapshot", "suspend", "stop"]).default("snapshot"),
    compress: z.enum(["0", "gzip", "lzo", "zstd"]).default("zstd"),
    mailto: nonEmpty.optional(),
    mailnotification: z.enum(["always", "failure"]).optional(),
    remove: z.preprocess((v) => (typeof v === "boolean" ? (v ? 1 : 0) : typeof v === "string" ? Number(v) : v), z.union([z.literal(0), z.literal(1)])).optional(),
    notes: z.string().max(1024).optional(),
    protected: bool.optional(),
  })
  .strict();

export const ConfigSchema = z
  .object({
    proxmox: z
      .object({
        hosts: listOf(nonEmpty.refine((text) => parseHost(text, 8006) !== null, "expected host, host:port or https://host:port")).pipe(
          z.array(z.string()).min(1, "expected at least one host"),
        ),
        port: port.default(8006),
        user: nonEmpty.optional(),
        realm: nonEmpty.default("pve"),
        password: secret.optional(),
        password_file: nonEmpty.optional(),
        token_id: z.string().regex(/^[^@!\s]+@[^@!\s]+![A-Za-z][A-Za-z0-9._-]*$/, "expected user@realm!tokenname").optional(),
        token_secret: secret.optional(),
        token_secret_file: nonEmpty.optional(),
        verify_tls: bool.default(true),
        fingerprint: listOf(z.string().trim().regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, "expected a SHA-256 fingerprint, 32 colon-separated hex bytes (AB:CD:…)")).optional(),
        ca_file: nonEmpty.optional(),
        timeout: num.pipe(z.number().positive().max(600)).default(10),
        cluster_name: nonEmpty.optional(),
      })
      .strict(),
    mqtt: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?|tcp|ssl):\/\/.+/, "expected mqtt://host:port, mqtts://, ws:// or wss://").optional(),
        username: nonEmpty.optional(),
        password: secret.optional(),
        password_file: nonEmpty.optional(),
        ca_file: nonEmpty.optional(),
        cert_file: nonEmpty.optional(),
        key_file: nonEmpty.optional(),
        reject_unauthorized: bool.default(true),
        client_id: nonEmpty.optional(),
        base_topic: z.string().regex(/^[^#+\s]+[^#+\s/]$|^[^#+\s/]$/, "expected a topic without wildcards, spaces or a trailing /").default("pve2mqtt"),
      })
      .strict()
      .default({ reject_unauthorized: true, base_topic: "pve2mqtt" }),
    embedded_broker: z
      .object({
        host: nonEmpty.default("127.0.0.1"),
        port: num.pipe(z.number().int().min(0).max(65535)).default(1883),
        username: nonEmpty.optional(),
        password: secret.optional(),
      })
      .strict()
      .default({ host: "127.0.0.1", port: 1883 }),
    homeassistant: z
      .object({
        enabled: bool.default(true),
        discovery_prefix: nonEmpty.default("homeassistant"),
        status_topic: nonEmpty.default("homeassistant/status"),
        discovery: z.enum(["entity", "device"]).default("entity"),
        suggested_area: nonEmpty.optional(),
        remove_vanished_after: num.pipe(z.number().int().positive()).optional(),
      })
      .strict()
      .default({ enabled: true, discovery_prefix: "homeassistant", status_topic: "homeassistant/status", discovery: "entity" }),
    language: z.enum(LANGUAGES).default("en"),
    poll: z
      .object({ interval: num.pipe(z.number().min(1)).default(30) })
      .strict()
      .default({ interval: 30 }),
    commands: z
      .object({
        enabled: bool.default(true),
        allow: listOf(z.enum(GUEST_ACTIONS)).default([...DEFAULT_ALLOWED_ACTIONS]),
        node_power: bool.default(false),
        backup: BackupDefaults.default({ mode: "snapshot", compress: "zstd" }),
      })
      .strict()
      .default({ enabled: true, allow: [...DEFAULT_ALLOWED_ACTIONS], node_power: false, backup: { mode: "snapshot", compress: "zstd" } }),
    filter: z
      .object({
        nodes: listOf(nonEmpty).default(["*"]),
        exclude_vmids: listOf(num.pipe(z.number().int().min(1))).default([]),
      })
      .strict()
      .default({ nodes: ["*"], exclude_vmids: [] }),
    details: z
      .object({
        ips: seconds.default(1800),
        refresh: seconds.default(21600),
        disks: seconds.default(600),
        updates: seconds.default(1800),
        backup_max_age: num.pipe(z.number().int().positive()).default(604800),
      })
      .strict()
      .default({ ips: 1800, refresh: 21600, disks: 600, updates: 1800, backup_max_age: 604800 }),
    http: z
      .object({
        port: num.pipe(z.number().int().min(0).max(65535)).optional(),
        host: nonEmpty.default("127.0.0.1"),
        /** Guards the web panel and its API (CONTRACT section 10); a secret, never echoed. */
        token: z.string().min(16, "expected a token of at least 16 characters (e.g. openssl rand -hex 24)").optional(),
      })
      .strict()
      .default({ host: "127.0.0.1" }),
    /** PVE notifications webhook (CONTRACT section 9): POST /api/pve-notification, enabled by the secret. */
    notifications: z
      .object({
        /** What PVE's webhook target sends as `Authorization: Bearer <secret>`; a secret, never echoed. */
        secret: z.string().min(16, "expected a secret of at least 16 characters (e.g. openssl rand -hex 24)").optional(),
      })
      .strict()
      .default({}),
    schedules: SchedulesSetting,
    log: z
      .object({ level: z.enum(LOG_LEVELS).default("info") })
      .strict()
      .default({ level: "info" }),
  })
  .strict();

/** The config as written (before secrets files are read and hosts are parsed). */
export type RawConfig = z.infer<typeof ConfigSchema>;

/** The config the daemon runs with: secrets resolved, hosts parsed, user canonical. */
export interface Config extends Omit<RawConfig, "proxmox" | "mqtt"> {
  proxmox: Omit<RawConfig["proxmox"], "hosts" | "fingerprint" | "user" | "realm"> & {
    hosts: HostSpec[];
    fingerprint: string[];
    /** `name@realm` for password logins; for tokens, the token's user. */
    user: string;
    auth: { kind: "password"; password: string } | { kind: "token"; tokenId: string; secret: string };
  };
  mqtt: RawConfig["mqtt"];
}
