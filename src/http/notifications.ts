import type { IncomingMessage, ServerResponse } from "node:http";
import getRawBody from "raw-body";
import type { Logger } from "../log.js";
import type { Publisher } from "../mqtt/publisher.js";
import { parseNotification, type BridgeEvent } from "./notification-event.js";
import { tokenMatches } from "./panel/auth.js";

export { EVENT_TYPES, type BridgeEvent, type EventType } from "./notification-event.js";

/** Where a PVE webhook target posts (CONTRACT section 9). */
export const NOTIFICATION_PATH = "/api/pve-notification";
/** A larger body is refused (413) and not read further. */
export const MAX_NOTIFICATION_BYTES = 64 * 1024;

/** The publishing side of the bridge's Publisher. */
export type EventPublisher = Pick<Publisher, "publish">;

export interface NotificationEndpointOptions {
  /** notifications.secret: PVE sends it as `Authorization: Bearer <secret>`. Never logged. */
  secret: string;
  /** mqtt.base_topic: events go to `<base>/bridge/event`. */
  base: string;
  /** The bridge's publisher, null until the broker session exists (answered 503, PVE retries). */
  publisher: () => EventPublisher | null;
  /** Called after each published notification (the bridge polls at once on `vzdump`). */
  onNotification?: (event: BridgeEvent) => void;
  log: Logger;
}

export type NotificationEndpoint = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * POST /api/pve-notification: a PVE notification in, `<base>/bridge/event` out (QoS 1, not retained).
 * 204 published; 401 wrong secret; 400 not a notification; 413 too large; 503 broker down; 405 not POST.
 */
export function createNotificationEndpoint(options: NotificationEndpointOptions): NotificationEndpoint {
  const { log } = options;
  const topic = `${options.base}/bridge/event`;
  // A misconfigured sender is worth one warning, not one per request: later refusals of the same
  // status go to debug until a notification is accepted again.
  const warned = new Set<number>();

  const refuse = (response: ServerResponse, status: number, error: string, logReason: string, extraHeaders: Record<string, string> = {}) => {
    const line = `PVE notification refused (${status}): ${logReason}`;
    if (warned.has(status)) log.debug(line);
    else {
      warned.add(status);
      log.warn(line);
    }
    answer(response, status, { error }, extraHeaders);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== "POST") {
      // the body, if any, is not read: the connection closes after the answer
      answer(response, 405, { error: "use POST" }, { allow: "POST", connection: "close" });
      return;
    }
    if (!tokenMatches(options.secret, bearerToken(request))) {
      refuse(response, 401, "a valid secret is required: Authorization: Bearer <notifications.secret>", "missing or wrong secret", { connection: "close" });
      return;
    }
    let body: string;
    try {
      body = await getRawBody(request, { limit: MAX_NOTIFICATION_BYTES, length: request.headers["content-length"], encoding: "utf-8" });
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === "entity.too.large") {
        refuse(response, 413, `the body is larger than ${MAX_NOTIFICATION_BYTES} bytes`, "body too large", { connection: "close" });
      } else if (type === "request.aborted") {
        log.debug("PVE notification: the sender closed the connection before the whole body arrived");
      } else {
        refuse(response, 400, `the body could not be read (${(error as Error).message})`, `body unreadable (${type ?? "error"})`, { connection: "close" });
      }
      return;
    }
    const parsed = parseNotification(body);
    if (!parsed.ok) {
      refuse(response, 400, parsed.reason, parsed.logReason);
      return;
    }
    const { event } = parsed;
    const publisher = options.publisher();
    const published = publisher !== null && (await publisher.publish(topic, JSON.stringify(event), { retain: false, qos: 1 }));
    if (!published) {
      refuse(response, 503, "not published: the bridge is not connected to the MQTT broker; send it again later", "MQTT broker not connected", { "retry-after": "10" });
      return;
    }
    warned.clear();
    log.info({ type: clip(event.type, 20), severity: clip(event.severity, 10) }, "PVE notification published");
    response.writeHead(204).end();
    try {
      options.onNotification?.(event);
    } catch (error) {
      log.warn({ err: clip((error as Error).message, 100) }, "PVE notification: follow-up failed");
    }
  };

  return (request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.warn({ err: clip(error instanceof Error ? error.message : String(error), 100) }, "PVE notification: unexpected failure");
      if (!response.headersSent) answer(response, 500, { error: "internal error" }, { connection: "close" });
    });
  };
}

/** The token of `Authorization: Bearer <token>` (the only place PVE can put it: headers are templated, the secret stays out of URLs). */
function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

function answer(response: ServerResponse, status: number, body: { error: string }, headers: Record<string, string> = {}): void {
  if (response.headersSent) return;
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers }).end(JSON.stringify(body));
}

/** Pieces of a notification in a log line are clipped so that no such line passes 200 characters. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
