import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import { isHealthy, type BridgeInfo } from "../publish/info.js";
import type { Panel } from "./panel/index.js";
import { NOTIFICATION_PATH, type NotificationEndpoint } from "./notifications.js";

export interface HealthSource {
  readonly info: BridgeInfo;
  metricsText(): Promise<{ contentType: string; body: string }>;
}

export interface HttpServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * GET /health: the bridge/info JSON, 200 when the last poll succeeded and the broker is connected,
 * 503 otherwise (a Docker HEALTHCHECK). GET /metrics: Prometheus exposition.
 */
export async function startHttpServer(options: {
  bridge: HealthSource;
  host: string;
  port: number;
  log: Logger;
  panel?: Panel;
  /** POST /api/pve-notification (CONTRACT section 9); absent: 404. */
  notifications?: NotificationEndpoint;
}): Promise<HttpServer> {
  const { bridge, log, panel } = options;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    // Before the panel: this path has its own secret, http.token does not apply to it.
    if (path === NOTIFICATION_PATH) {
      if (options.notifications) options.notifications(request, response);
      else response.writeHead(404, { "content-type": "text/plain", connection: "close" }).end("PVE notifications are not enabled: set notifications.secret\n");
      return;
    }
    if (path !== "/health" && path !== "/metrics" && panel?.handleRequest(request, response)) return;
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { allow: "GET, HEAD" }).end();
      return;
    }
    if (path === "/health") {
      const info = bridge.info;
      response.writeHead(isHealthy(info) ? 200 : 503, { "content-type": "application/json" });
      response.end(JSON.stringify(info));
      return;
    }
    if (path === "/metrics") {
      bridge.metricsText().then(
        ({ contentType, body }) => response.writeHead(200, { "content-type": contentType }).end(body),
        (error: unknown) => {
          log.warn({ err: String(error) }, "metrics collection failed");
          response.writeHead(500).end();
        },
      );
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end(`not found: try ${panel ? "/, " : ""}/health or /metrics\n`);
  });
  server.on("upgrade", (request, socket, head) => {
    if (!panel?.handleUpgrade(request, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ url: `http://${options.host}:${port}` }, panel ? "web panel, health and metrics endpoint listening" : "health and metrics endpoint listening");
  return {
    port,
    url: `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`,
    close: async () => {
      await panel?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
