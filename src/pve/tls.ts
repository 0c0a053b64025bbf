import type { TLSSocket } from "node:tls";
import type { buildConnector as BuildConnector } from "undici";
import { buildConnector } from "./undici.js";
import { PveTlsError } from "./errors.js";

export interface TlsPolicy {
  verifyTls: boolean;
  /** SHA-256 fingerprints "AB:CD:…"; when given, only these certificates are accepted. */
  fingerprints: string[];
  caPem?: string | undefined;
}

/** A connect error: the request never left this process, so any request may go to another host. */
export class ConnectFailure extends Error {
  constructor(
    readonly reason: string,
    readonly tlsError: PveTlsError | null = null,
  ) {
    super(reason);
    this.name = "ConnectFailure";
  }
}

export function normalizeFingerprint(text: string): string {
  return text.trim().toUpperCase();
}

/**
 * undici connector that decides trust itself: the handshake runs with `rejectUnauthorized: false`
 * so that the peer certificate (and its fingerprint) is at hand, then the socket is destroyed before
 * any request byte is written unless the certificate is pinned, or verified when verification is on.
 * Every failure comes out as a `ConnectFailure` so the caller knows the request never went out.
 */
export function createConnector(origin: string, policy: TlsPolicy, timeoutMs: number): BuildConnector.connector {
  const pins = new Set(policy.fingerprints.map(normalizeFingerprint));
  const base = buildConnector({
    rejectUnauthorized: false,
    ...(policy.caPem ? { ca: policy.caPem } : {}),
    timeout: timeoutMs,
    // A resumed session skips verification; every handshake must be a full one.
    maxCachedSessions: 0,
  });

  return (options, callback) => {
    base(options, (error, socket) => {
      if (error || !socket) {
        callback(new ConnectFailure(describeConnectError(error)), null);
        return;
      }
      const tlsSocket = socket as TLSSocket;
      const fingerprint = tlsSocket.getPeerCertificate?.()?.fingerprint256 ?? null;
      const refusal = judge(tlsSocket, fingerprint, pins, policy);
      if (refusal) {
        socket.destroy();
        const tlsError = new PveTlsError(origin, refusal, fingerprint);
        callback(new ConnectFailure(`TLS: ${refusal} (fingerprint ${fingerprint ?? "unknown"})`, tlsError), null);
        return;
      }
      callback(null, socket);
    });
  };
}

function judge(socket: TLSSocket, fingerprint: string | null, pins: Set<string>, policy: TlsPolicy): string | null {
  if (pins.size > 0) {
    if (fingerprint && pins.has(normalizeFingerprint(fingerprint))) return null;
    return "its fingerprint matches none of the pinned fingerprints";
  }
  if (!policy.verifyTls || socket.authorized) return null;
  return String(socket.authorizationError ?? "verification failed");
}

function describeConnectError(error: Error | null): string {
  if (!error) return "connection failed";
  const code = (error as { code?: string }).code;
  if (code === "UND_ERR_CONNECT_TIMEOUT") return "connect timeout";
  return code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
}
