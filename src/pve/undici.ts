import { createRequire } from "node:module";
import type * as Undici from "undici";

/*
 * The three parts of undici pve2mqtt uses, loaded by themselves: undici's index also loads fetch,
 * WebSocket, EventSource, the caches and the mocks, ~8 MB of resident memory (3 MB of it heap) a
 * long-running bridge would carry for nothing. These are the modules the index itself re-exports
 * (undici 7 declares no `exports` map, so the paths are reachable); the types are the index's.
 */
const require = createRequire(import.meta.url);

export const Pool = require("undici/lib/dispatcher/pool.js") as typeof Undici.Pool;
export const retryInterceptor = require("undici/lib/interceptor/retry.js") as typeof Undici.interceptors.retry;
export const buildConnector = require("undici/lib/core/connect.js") as typeof Undici.buildConnector;
