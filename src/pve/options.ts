import { readFileSync } from "node:fs";
import type { Config, HostSpec } from "../config/schema.js";
import type { Logger } from "../log.js";
import { PveError } from "./errors.js";
import type { PveAuth } from "./session.js";
import type { PveEvents } from "./types.js";

export interface PveClientOptions {
  /** From the config; origin "https://host:port". */
  hosts: HostSpec[];
  auth: PveAuth;
  verifyTls: boolean;
  fingerprints: string[];
  /** PEM of the CA to verify against (the CLI reads ca_file). */
  caPem?: string;
  /** Per request. */
  timeoutMs: number;
  log: Logger;
  /** Injectable clock (epoch ms) for ticket renewal and host put-aside periods; default Date.now. */
  now?: () => number;
  /** Put-aside period start, default 30_000 (doubling to 300_000). */
  hostRetryBaseMs?: number;
  /** GET retry backoff base, default 500. */
  retryBaseMs?: number;
  /** Default 32 MiB. */
  maxBodyBytes?: number;
  /** Hooks for metrics. */
  events?: PveEvents;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const DEFAULT_HOST_RETRY_MS = 30_000;
export const DEFAULT_RETRY_BASE_MS = 500;

/** Builds the client options from the resolved config; reads `ca_file`. */
export function clientOptionsFromConfig(config: Config, log: Logger, extras: Partial<PveClientOptions> = {}): PveClientOptions {
  const proxmox = config.proxmox;
  const auth: PveAuth =
    proxmox.auth.kind === "password"
      ? { kind: "password", user: proxmox.user, password: proxmox.auth.password }
      : { kind: "token", tokenId: proxmox.auth.tokenId, secret: proxmox.auth.secret };
  return {
    hosts: proxmox.hosts,
    auth,
    verifyTls: proxmox.verify_tls,
    fingerprints: proxmox.fingerprint,
    ...(proxmox.ca_file ? { caPem: readCa(proxmox.ca_file) } : {}),
    timeoutMs: proxmox.timeout * 1000,
    log,
    ...extras,
  };
}

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new PveError(`cannot read proxmox.ca_file ${path}: ${(error as Error).message}; give the path of the PEM file of the CA that signed the PVE certificate`);
  }
}
