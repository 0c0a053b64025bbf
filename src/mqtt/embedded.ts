import { createServer, type Server, type Socket } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { Aedes, type AuthenticateError } from "aedes";
import type { Logger } from "../log.js";

export interface EmbeddedBroker {
  readonly host: string;
  readonly port: number;
  /** mqtt://host:port — a wildcard listen address (0.0.0.0, ::) is reached through loopback. */
  readonly url: string;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  host: string;
  /** 0 = any free port */
  port: number;
  username?: string;
  password?: string;
  log: Logger;
}

const BAD_USERNAME_OR_PASSWORD = 4;

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/** The warning to log when the broker is reachable from the network by anyone, else undefined. */
export function exposureWarning(host: string, credentialsRequired: boolean): string | undefined {
  if (isLoopback(host) || credentialsRequired) return undefined;
  return "embedded MQTT broker listens beyond loopback without credentials: anyone on the network can read states and send commands; set embedded_broker.username and password";
}

function sameSecret(expected: string | undefined, given: string | Buffer | undefined): boolean {
  if (expected === undefined) return true;
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.isBuffer(given) ? given : Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** mqtt://host:port for clients on this machine: a wildcard listen address is reached through loopback. */
export function brokerUrl(host: string, port: number): string {
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `mqtt://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/**
 * Starts an aedes broker on node:net. Rejects with the listen error (its `code` is "EADDRINUSE"
 * when the port is taken). With a username and/or password set, clients must present them.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { host, log } = options;
  const credentialsRequired = options.username !== undefined || options.password !== undefined;
  const aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => {
      if (!credentialsRequired || (sameSecret(options.username, username) && sameSecret(options.password, password))) return done(null, true);
      const error = new Error("bad username or password") as AuthenticateError;
      error.returnCode = BAD_USERNAME_OR_PASSWORD;
      done(error, null);
    },
  });
  aedes.on("clientError", (client, error) => log.debug({ client: client.id, err: error.message }, "embedded broker: client error"));

  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    aedes.handle(socket);
  });
  try {
    await listen(server, host, options.port);
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    throw error;
  }
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const warning = exposureWarning(host, credentialsRequired);
  if (warning) log.warn({ host, port }, warning);
  log.info({ host, port }, "embedded MQTT broker started");

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: brokerUrl(host, port),
    close() {
      closing ??= (async () => {
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await serverClosed;
        log.info({ host, port }, "embedded MQTT broker stopped");
      })();
      return closing;
    },
  };
}
