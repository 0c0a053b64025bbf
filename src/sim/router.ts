import type { Handler } from "./context.js";

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** e.g. "/nodes/{node}/{kind}/{vmid}/status/current"; {kind} is qemu|lxc, {vmid} digits */
  path: string;
  handler: Handler;
  /** No authentication (login). */
  public?: boolean;
  /** Answered even for a token without any ACL. */
  anyUser?: boolean;
  /** Accepted parameters; anything else is a 400 like PVE's additionalProperties => 0. */
  params?: readonly string[];
  /** Proxied to the node in the path: 595 when that node is offline. */
  proxied?: boolean;
}

export interface CompiledRoute extends Route {
  pattern: RegExp;
}

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

const segmentPatterns: Record<string, string> = { kind: "qemu|lxc", vmid: "\\d+" };

export function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const source = route.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (_, name: string) => `(?<${name}>${segmentPatterns[name] ?? "[^/]+"})`);
    return { ...route, pattern: new RegExp(`^${source}$`) };
  });
}

/** The route for a path, or the methods the path exists with (for 501). */
export function matchRoute(routes: CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: { ...(match.groups ?? {}) } };
  }
  return undefined;
}
