import type { Dispatcher } from "undici";
import { PveClosedError, PveResponseError } from "./errors.js";
import { ConnectFailure } from "./tls.js";

export interface OutgoingRequest {
  method: "GET" | "POST" | "DELETE";
  /** Path under /api2/json, with its query string. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RawResponse {
  status: number;
  /** The HTTP reason phrase: in PVE 8.2 the only place the error text travels. */
  statusMessage: string;
  body: Buffer;
}

/** The request was handed to a socket and then failed: it may have reached PVE. */
export class SentFailure extends Error {
  constructor(
    readonly kind: "timeout" | "socket",
    reason: string,
    /** An answer had begun (status line received) when it failed. */
    readonly responded = false,
  ) {
    super(reason);
    this.name = "SentFailure";
  }
}

export const API_PREFIX = "/api2/json";
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

/**
 * Sends one request to one host through `dispatcher` (which may carry the retry interceptor).
 * A dispatch handler is used rather than `request()` because it sees the reason phrase
 * (`onResponseStart`'s statusMessage) and can stop reading at the size cap.
 * Rejects with `ConnectFailure` (never sent), `SentFailure` (may have been received),
 * `PveResponseError` (too big) or `PveClosedError`.
 */
export function sendOnce(
  dispatcher: Dispatcher,
  request: OutgoingRequest,
  options: { timeoutMs: number; maxBodyBytes: number },
): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    let started = false;
    let status = 0;
    let statusMessage = "";
    let received = 0;
    const chunks: Buffer[] = [];
    const tooBig = () =>
      new PveResponseError(request.path, `response from ${request.path} exceeds ${formatBytes(options.maxBodyBytes)}`);

    const handler: Dispatcher.DispatchHandler = {
      onRequestStart() {
        started = true;
      },
      onResponseStart(controller, statusCode, headers, message) {
        status = statusCode;
        statusMessage = message ?? "";
        const declared = Number(headers["content-length"]);
        if (Number.isFinite(declared) && declared > options.maxBodyBytes) controller.abort(tooBig());
      },
      onResponseData(controller, chunk) {
        received += chunk.length;
        if (received > options.maxBodyBytes) {
          controller.abort(tooBig());
          return;
        }
        chunks.push(chunk);
      },
      onResponseEnd() {
        resolve({ status, statusMessage, body: Buffer.concat(chunks) });
      },
      onResponseError(_controller, error) {
        reject(classify(error, started, status !== 0));
      },
    };

    try {
      dispatcher.dispatch(
        {
          method: request.method,
          path: API_PREFIX + request.path,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        } as Dispatcher.DispatchOptions,
        handler,
      );
    } catch (error) {
      reject(classify(error as Error, false));
    }
  });
}

function classify(error: Error, started: boolean, responded = false): Error {
  if (error instanceof ConnectFailure || error instanceof PveResponseError) return error;
  const code = (error as { code?: string }).code ?? "";
  if (code === "UND_ERR_DESTROYED" || code === "UND_ERR_CLOSED") return new PveClosedError();
  if (TIMEOUT_CODES.has(code)) return new SentFailure("timeout", "timeout waiting for the answer", responded);
  if (!started) return new ConnectFailure(error.message);
  const reason = code ? `${code}: ${error.message}` : error.message;
  return new SentFailure("socket", responded ? `the answer broke off: ${reason}` : reason, responded);
}
