import type { Column, Texts } from "./types.js";

/** Intl formatters are costly to make: one set per language, made once, used for every cell. */
export interface Formats {
  language: string;
  number: Intl.NumberFormat;
  time: Intl.DateTimeFormat;
}

export function makeFormats(language: string): Formats {
  return {
    language,
    number: new Intl.NumberFormat(language),
    time: new Intl.DateTimeFormat(language, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }),
  };
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

export function formatBytes(value: number): string {
  let unit = 0;
  let scaled = value;
  while (Math.abs(scaled) >= 1024 && unit < BYTE_UNITS.length - 1) {
    scaled /= 1024;
    unit++;
  }
  return `${unit === 0 ? scaled.toFixed(0) : scaled.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const hours = Math.floor((s % 86400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  if (days > 0) return `${days}d ${hours}h`;
  if (hours > 0) return `${hours}h ${minutes}m`;
  if (minutes > 0) return `${minutes}m ${s % 60}s`;
  return `${s}s`;
}

export function formatTime(iso: string, formats: Formats): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return formats.time.format(date);
}

/** A state value as text; "—" for a value that is null or that the state does not have (yet). */
export function formatValue(value: unknown, format: Column["format"], t: Texts, formats: Formats): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length === 0 ? "—" : value.join(", ");
  if (typeof value === "boolean") return value ? t("panel.yes") : t("panel.no");
  if (typeof value === "number") {
    switch (format) {
      case "percent":
        return `${value.toFixed(1)} %`;
      case "bytes":
        return formatBytes(value);
      case "rate":
        return `${formatBytes(value)}/s`;
      case "duration":
        return formatDuration(value);
      case "text":
        return String(value);
      default:
        return formats.number.format(value);
    }
  }
  if (typeof value === "string") return format === "time" ? formatTime(value, formats) : value;
  return JSON.stringify(value);
}

/** The CSS class of a status word: good, bad, idle or warn. */
export function statusTone(value: unknown): string {
  switch (value) {
    case "running":
    case "online":
    case "available":
    case "ok":
    case "OK":
    case "ONLINE":
    case true:
      return "good";
    case "stopped":
    case "offline":
    case "hibernated":
      return "idle";
    case "error":
    case "io-error":
    case "failing":
    case "unavailable":
    case "FAULTED":
    case false:
      return "bad";
    default:
      return "warn";
  }
}

/** Device ids in topics: lowercase, every character outside [a-z0-9_] becomes _ (CONTRACT section 3). */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, "_");
}
