import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** The token a request presents: `Authorization: Bearer …`, else `?token=` (a browser cannot set headers on a WebSocket). */
export function presentedToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === "string") {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  const query = (request.url ?? "").split("?")[1];
  return query === undefined ? undefined : (new URLSearchParams(query).get("token") ?? undefined);
}

/**
 * Constant-time comparison: both sides are hashed first, so neither the content nor the length of
 * the expected token leaks through timing.
 */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** Whether a request may use the panel's API: always when no token is configured. */
export function authorized(token: string | undefined, request: IncomingMessage): boolean {
  return token === undefined || tokenMatches(token, presentedToken(request));
}

export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
