import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import sirv from "sirv";

/** dist/web, where `npm run build` bundles the client: three levels above this file in src/ and in dist/. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL("../../../dist/web/", import.meta.url));

/** Everything from this origin only: no CDN, no external font, nothing but the bridge itself. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'self'";

export type StaticHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** Serves the built client (sirv: ETags, precompressed .br/.gz, ranges); a clear page when it was not built. */
export function staticFiles(root: string = DEFAULT_WEB_ROOT): StaticHandler {
  if (!existsSync(root)) {
    return (_request, response) => {
      response.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end(`The web panel is not built (${root} is missing): run npm run build.\n`);
    };
  }
  const serve = sirv(root, {
    etag: true,
    gzip: true,
    brotli: true,
    setHeaders(response) {
      response.setHeader("content-security-policy", CONTENT_SECURITY_POLICY);
      response.setHeader("x-content-type-options", "nosniff");
      response.setHeader("referrer-policy", "no-referrer");
      response.setHeader("cache-control", "no-cache");
    },
  });
  return (request, response) =>
    serve(request, response, () => {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    });
}
