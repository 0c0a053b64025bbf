import { request as httpRequest } from "node:http";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with full control over method, headers and body (a string, or chunks sent as they come). */
export function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "POST", headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    // the server may answer and close before the whole body is written (401, 413): the answer counts, not the write
    req.on("error", (error) => reject(error));
    req.end(options.body);
  });
}

/**
 * Sends chunks of a body without ever ending the request, and resolves with the answer: proves the
 * server answers (and stops reading) without waiting for the rest of the body.
 */
export function sendUnfinished(url: string, headers: Record<string, string>, chunk: Buffer, chunks: number): Promise<Answer & { chunksWritten: number }> {
  return new Promise((resolve, reject) => {
    let written = 0;
    const req = httpRequest(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" }, agent: false }, (response) => {
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts).toString("utf8"), chunksWritten: written });
        req.destroy();
      });
    });
    req.on("error", reject);
    const writeNext = () => {
      if (written >= chunks || req.destroyed) return;
      written++;
      req.write(chunk, () => setImmediate(writeNext));
    };
    writeNext();
  });
}
