import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type RequestListener = (host: number, req: IncomingMessage, res: ServerResponse) => void;

/** One HTTPS endpoint (a node's pveproxy) that can go down and come back on the same port. */
export class HostServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** TLS connections accepted (handshakes done) since start: what each new connection costs the node. */
  private accepted = 0;

  /** `port` 0: a free one, kept across close() and listen(). */
  constructor(
    private readonly index: number,
    private readonly tls: { key: string; cert: string },
    private readonly listener: RequestListener,
    private port = 0,
  ) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get tlsConnections(): number {
    return this.accepted;
  }

  get up(): boolean {
    return this.server !== undefined;
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer({ key: this.tls.key, cert: this.tls.cert, keepAliveTimeout: 5000 }, (req, res) => this.listener(this.index, req, res));
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.once("close", () => this.sockets.delete(socket));
    });
    server.on("secureConnection", () => {
      this.accepted++;
    });
    server.on("tlsClientError", () => {
      // A client refusing our certificate is a normal test scenario, not an error of the simulator.
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === "object") this.port = address.port;
    this.server = server;
  }

  /** Closes the connections with no request in flight, as pveproxy does after ~5 s idle. */
  closeIdle(): void {
    this.server?.closeIdleConnections();
  }

  /** Stops listening (connection refused) and drops every open connection. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
