import { shuffled, type SimCall } from "../context.js";
import { SimHttpError } from "../http-error.js";
import { clusterResources, nodeRow, type ResourceType } from "../resources.js";
import type { Route } from "../router.js";

function version(call: SimCall): unknown {
  const { version, repoid } = call.ctx.settings;
  return { version, release: version.split(".").slice(0, 2).join("."), repoid };
}

function clusterStatus(call: SimCall): unknown {
  const { model, settings } = call.ctx;
  const local = call.ctx.hostNode(call.host);
  const nodes = [...model.nodes.values()];
  const standalone = settings.clusterName === null;
  const rows: Record<string, unknown>[] = nodes.map((node) => ({
    type: "node",
    id: `node/${node.name}`,
    name: node.name,
    nodeid: standalone ? 0 : node.nodeid,
    ip: node.ip,
    local: node.name === local ? 1 : 0,
    online: node.online ? 1 : 0,
    level: node.level,
  }));
  if (!standalone) {
    const online = nodes.filter((n) => n.online).length;
    rows.push({ type: "cluster", id: "cluster", name: settings.clusterName, nodes: nodes.length, version: nodes.length + 2, quorate: online * 2 > nodes.length ? 1 : 0 });
  }
  return shuffled(rows);
}

const RESOURCE_TYPES = ["vm", "storage", "node", "sdn"];

function resources(call: SimCall): unknown {
  const type = call.args.type;
  if (type !== undefined && !RESOURCE_TYPES.includes(type)) {
    throw new SimHttpError(400, "Parameter verification failed.", { type: `value '${type}' does not have a value in the enumeration '${RESOURCE_TYPES.join(", ")}'` });
  }
  return clusterResources(call.ctx.model, type as ResourceType | undefined, call.identity?.emptyAcl === true);
}

function nodes(call: SimCall): unknown {
  const { model, settings } = call.ctx;
  return [...model.nodes.values()].map((node) => ({ ...nodeRow(model, node), ssl_fingerprint: settings.fingerprint }));
}

export const clusterRoutes: Route[] = [
  { method: "GET", path: "/version", handler: version, anyUser: true },
  { method: "GET", path: "/cluster/status", handler: clusterStatus },
  { method: "GET", path: "/cluster/resources", handler: resources, anyUser: true, params: ["type"] },
  { method: "GET", path: "/nodes", handler: nodes },
];
