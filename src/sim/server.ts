import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimIdentity } from "./auth.js";
import { SimResult, type SimCall, type SimContext } from "./context.js";
import { sendMalformed, streamHuge, type FaultSet } from "./faults.js";
import { SimHttpError } from "./http-error.js";
import { matchRoute, type CompiledRoute } from "./router.js";
import type { SimFault, SimRequest } from "./types.js";

const PREFIX = "/api2/json";
const MAX_BODY = 1024 * 1024;
const REDACTED = "<redacted>";

export interface PipelineOptions {
  authFailureDelayMs: number;
  requests: SimRequest[];
  faults: FaultSet;
  routes: CompiledRoute[];
  ctx: SimContext;
}

interface Answer {
  status: number;
  reason?: string;
  body: string;
}

/** Turns one HTTP request into PVE's answer: faults, routing, auth, CSRF, handler, recording. */
export class RequestPipeline {
  constructor(private readonly options: PipelineOptions) {}

  handle(host: number, req: IncomingMessage, res: ServerResponse): void {
    this.run(host, req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.statusCode = 500;
        res.statusMessage = reasonPhrase(error instanceof Error ? error.message : String(error));
        res.end('{"data":null}');
      }
    });
  }

  private async run(host: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const began = Date.now();
    const { ctx } = this.options;
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const rawPath = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const path = rawPath.split("/").map(safeDecode).join("/");
    const query = Object.fromEntries(url.searchParams);
    const record: SimRequest = { host, method, path, query, body: {}, status: 0, auth: "none", csrf: false, at: ctx.model.now() };
    this.options.requests.push(record);

    const body = await readBody(req);
    record.body = redact(body);
    const authorization = headerValue(req, "authorization");
    const csrfHeader = headerValue(req, "csrfpreventiontoken");
    record.csrf = csrfHeader !== undefined;
    const tokenHeader = authorization?.startsWith("PVEAPIToken") ?? false;
    const ticket = authorization?.startsWith("PVEAuthCookie=") ? authorization.slice("PVEAuthCookie=".length) : cookie(req, "PVEAuthCookie");
    record.auth = tokenHeader ? "token" : ticket !== undefined ? "ticket" : "none";

    const fault = this.options.faults.take(host, method, path);
    if (fault) {
      const handled = await this.applyFault(fault, res, record);
      if (handled) return;
    }

    let answer: Answer;
    try {
      const result = this.dispatch({ host, method, path, query, body, authorization, ticket, csrfHeader, tokenHeader });
      const attribs = result instanceof SimResult ? result.attribs : {};
      let data = result instanceof SimResult ? result.data : result;
      if (fault?.kind === "rewrite" && fault.rewrite) data = fault.rewrite(data);
      answer = { status: 200, body: JSON.stringify({ ...attribs, data }) };
    } catch (error) {
      answer = errorAnswer(error);
    }
    if (answer.status === 401) {
      const wait = this.options.authFailureDelayMs - (Date.now() - began);
      if (wait > 0) await new Promise<void>((resolve) => ctx.timers.after(wait, resolve));
    }
    record.status = answer.status;
    if (fault?.kind === "truncated") return sendTruncated(res, answer);
    send(res, answer);
  }

  private dispatch(request: {
    host: number; method: string; path: string; query: Record<string, string>; body: Record<string, string>;
    authorization: string | undefined; ticket: string | undefined; csrfHeader: string | undefined; tokenHeader: boolean;
  }): unknown {
    const { ctx } = this.options;
    const match = matchRoute(this.options.routes, request.method, request.path);
    if (!match) throw new SimHttpError(501, `Method '${request.method} ${request.path}' not implemented`);
    const { route, params } = match;
    const args = request.method === "GET" || request.method === "DELETE" ? request.query : { ...request.query, ...request.body };

    let identity: SimIdentity | undefined;
    if (!route.public) {
      identity = this.authenticate(request);
      if (identity.emptyAcl && !route.anyUser) throw new SimHttpError(403, `Permission check failed (${request.path})`);
    }
    if (route.params) {
      const unknown = Object.keys(args).filter((k) => !route.params!.includes(k));
      if (unknown.length > 0) {
        throw new SimHttpError(400, "Parameter verification failed.", Object.fromEntries(unknown.map((k) => [k, "property is not defined in schema and the schema does not allow additional properties"])));
      }
    }
    if (route.proxied && params.node !== undefined) {
      const node = ctx.model.nodes.get(params.node);
      if (node && !node.online) throw new SimHttpError(595, "Errors during connection establishment, proxy handshake: No route to host");
    }
    const call: SimCall = { ctx, host: request.host, method: request.method, path: request.path, params, args, identity, tokenHeader: request.tokenHeader };
    return route.handler(call);
  }

  private authenticate(request: { method: string; authorization: string | undefined; ticket: string | undefined; csrfHeader: string | undefined }): SimIdentity {
    const { auth } = this.options.ctx;
    if (request.authorization?.startsWith("PVEAPIToken")) {
      return auth.verifyToken(request.authorization.replace(/^PVEAPIToken[= ]/, ""));
    }
    if (request.ticket === undefined) throw new SimHttpError(401, "No ticket");
    const userid = auth.verifyTicket(request.ticket);
    if (userid === undefined) throw new SimHttpError(401, "permission denied - invalid PVE ticket");
    const csrf = request.method !== "GET";
    if (csrf && !auth.verifyCsrf(userid, request.csrfHeader)) throw new SimHttpError(401, "Permission denied - invalid csrf token");
    return { kind: "ticket", userid, emptyAcl: false, csrf };
  }

  /** Returns true when the fault answered (or swallowed) the request. */
  private async applyFault(fault: SimFault, res: ServerResponse, record: SimRequest): Promise<boolean> {
    switch (fault.kind) {
      case "status":
        record.status = fault.status ?? 503;
        send(res, { status: record.status, reason: fault.reason ?? "Service Unavailable", body: '{"data":null}' });
        return true;
      case "malformed":
        record.status = 200;
        sendMalformed(res);
        return true;
      case "huge":
        record.status = 200;
        streamHuge(res, fault.hugeBytes);
        return true;
      case "hang":
        // Never answered; the socket is dropped when the host goes down or the simulator stops.
        return true;
      case "slow":
        await new Promise<void>((resolve) => this.options.ctx.timers.after(fault.delayMs ?? 1000, resolve));
        return false;
      case "truncated":
      case "rewrite":
        return false;
    }
  }
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.statusCode = answer.status;
  if (answer.reason !== undefined) res.statusMessage = reasonPhrase(answer.reason);
  res.setHeader("Content-Type", "application/json;charset=UTF-8");
  res.setHeader("Content-Length", Buffer.byteLength(answer.body));
  res.setHeader("Cache-Control", "max-age=0");
  res.end(answer.body);
}

/** Announces the full length, sends half, then drops the connection. */
function sendTruncated(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  const full = Buffer.from(answer.body);
  res.writeHead(answer.status, reasonPhrase(answer.reason ?? "OK"), { "Content-Type": "application/json;charset=UTF-8", "Content-Length": full.length });
  res.write(full.subarray(0, Math.floor(full.length / 2)), () => res.destroy());
}

function errorAnswer(error: unknown): Answer {
  if (error instanceof SimHttpError) {
    const body: Record<string, unknown> = { data: null };
    if (error.errors) body.errors = error.errors;
    return { status: error.status, reason: error.reason, body: JSON.stringify(body) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, reason: message, body: '{"data":null}' };
}

/** Reason phrases cannot carry control characters. */
function reasonPhrase(text: string): string {
  return text.replace(/[^\t\x20-\x7e]/g, " ").trim() || "Error";
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = headerValue(req, "cookie");
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return safeDecode(part.slice(index + 1).trim());
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SimHttpError(413, "Request Entity Too Large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.length === 0) return {};
  const type = headerValue(req, "content-type") ?? "";
  if (type.includes("application/json")) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed === null || typeof parsed !== "object") return {};
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === "boolean" ? (v ? "1" : "0") : typeof v === "string" ? v : JSON.stringify(v)]));
    } catch {
      throw new SimHttpError(400, "Parameter verification failed.");
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function redact(body: Record<string, string>): Record<string, string> {
  if (body.password === undefined) return { ...body };
  return { ...body, password: REDACTED };
}
