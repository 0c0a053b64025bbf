import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Config, Language } from "../../config/schema.js";
import type { Logger } from "../../log.js";
import type { FeatureCheck } from "../../pve/privileges.js";
import { authorized, isLoopbackHost } from "./auth.js";
import { catalogColumns, type PanelColumn } from "./columns.js";
import { buildMeta } from "./meta.js";
import { TopicMirror, type BrokerTarget, type SentMessages } from "./mirror.js";
import { privilegeFix, type PrivilegeReport } from "./privileges.js";
import { servePanelSocket } from "./socket.js";
import { staticFiles } from "./static.js";
import { panelTexts } from "./texts.js";

export type { BrokerTarget, SentMessages } from "./mirror.js";
export type { PanelColumn } from "./columns.js";
export { catalogColumns } from "./columns.js";
export { brokerTarget } from "./target.js";

export interface PanelOptions {
  /** mqtt.base_topic */
  base: string;
  /** http.host: a panel reachable beyond loopback without a token is read-only. */
  host: string;
  /** http.token: required by /api/* and the WebSocket when set. Never logged. */
  token?: string;
  language: Language;
  commands: Config["commands"];
  /** The columns per device kind; the catalog's when absent. */
  columns?: readonly PanelColumn[];
  /** The privilege report of `check`; null when it cannot be read. */
  privileges: () => Promise<FeatureCheck[] | null>;
  log: Logger;
  /** The built client (default dist/web). */
  webRoot?: string;
}

export interface Panel {
  /** Answers GET / and the client's files, /api/meta, /api/events and /api/privileges; false for any other path. */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean;
  /** Takes the upgrade of /api/ws; false for any other path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Connects the panel's own MQTT client to the bridge's broker (once it is known). */
  connectBroker(target: BrokerTarget): Promise<void>;
  /** Follows the bridge's own messages in process (its session's publisher), instead of receiving them back from the broker. */
  follow(source: SentMessages): void;
  /** Why commands are refused by the panel itself, or null. */
  readonly refusal: string | null;
  /** The topic mirror (tests and the bench look at whether `B/#` is subscribed). */
  readonly mirror: TopicMirror;
  close(): Promise<void>;
}

const PRIVILEGES_CACHE_MS = 60_000;
const PANEL_API = new Set(["/api/meta", "/api/events", "/api/privileges"]);

/** The web panel (CONTRACT section 10): static client, a small JSON API and the /api/ws WebSocket. */
export function createPanel(options: PanelOptions): Panel {
  const { log, token } = options;
  const refusal =
    token === undefined && !isLoopbackHost(options.host)
      ? `read-only panel: http.host ${options.host} is reachable beyond this machine and no http.token is set; set http.token to send commands`
      : null;
  if (refusal) log.warn(`web panel: ${refusal}`);
  const mirror = new TopicMirror({ base: options.base, log });
  const serveStatic = staticFiles(options.webRoot);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const meta = JSON.stringify(
    buildMeta({ base: options.base, language: options.language, texts: panelTexts(options.language), commands: options.commands, refusal, columns: options.columns ?? catalogColumns(panelTexts(options.language)) }),
  );
  let privileges: { at: number; report: Promise<PrivilegeReport> } | null = null;

  const privilegeReport = (): Promise<PrivilegeReport> => {
    if (privileges && Date.now() - privileges.at < PRIVILEGES_CACHE_MS) return privileges.report;
    const report = options.privileges().then(
      (features) => ({ features, fix: features ? privilegeFix(features, mirror.pveVersion()) : null }),
      (error: unknown) => {
        log.debug({ err: String(error) }, "panel: privileges not readable");
        return { features: null, fix: null };
      },
    );
    privileges = { at: Date.now(), report };
    return report;
  };

  const json = (response: ServerResponse, status: number, body: string) => {
    response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(body);
  };

  return {
    refusal,
    mirror,
    handleRequest(request, response) {
      const path = (request.url ?? "/").split("?")[0]!;
      if (path.startsWith("/api/")) {
        if (!PANEL_API.has(path)) return false;
        if (!authorized(token, request)) {
          json(response, 401, JSON.stringify({ error: "a valid token is required: Authorization: Bearer <http.token>" }));
          return true;
        }
        if (request.method !== "GET" && request.method !== "HEAD") {
          response.writeHead(405, { allow: "GET, HEAD" }).end();
          return true;
        }
        if (path === "/api/meta") json(response, 200, meta);
        else if (path === "/api/events") json(response, 200, JSON.stringify(mirror.events()));
        else void privilegeReport().then((report) => json(response, 200, JSON.stringify(report)));
        return true;
      }
      if (request.method !== "GET" && request.method !== "HEAD") return false;
      serveStatic(request, response);
      return true;
    },
    handleUpgrade(request, socket, head) {
      const path = (request.url ?? "/").split("?")[0];
      if (path !== "/api/ws") return false;
      wss.handleUpgrade(request, socket, head, (ws) => {
        // a browser cannot read an HTTP status on a WebSocket: the close code says it (Zigbee2MQTT's 4401)
        if (!authorized(token, request)) {
          ws.close(4401, "unauthorized: a valid token is required");
          return;
        }
        const batch = new URL(request.url ?? "/", "http://panel").searchParams.get("batch") === "1";
        servePanelSocket(ws, { mirror, refusal: () => refusal, log, batch });
      });
      return true;
    },
    connectBroker: (target) => mirror.connect(target),
    follow: (source) => mirror.follow(source),
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await mirror.close();
    },
  };
}
