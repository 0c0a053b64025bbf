import { requireGuest, type SimCall } from "../context.js";
import { SimHttpError } from "../http-error.js";
import { isRunning, type SimGuest } from "../model.js";
import type { Route } from "../router.js";

/** A qemu guest whose agent answers, else PVE's 501 / 500 for an agent call. */
export function requireAnsweringAgent(call: SimCall): SimGuest {
  const guest = requireGuest(call);
  if (guest.kind !== "qemu") throw new SimHttpError(501, `Method 'GET ${call.path}' not implemented`);
  if (!guest.agent) throw new SimHttpError(500, "No QEMU guest agent configured");
  if (!isRunning(guest)) throw new SimHttpError(500, `VM ${guest.vmid} is not running`);
  if (!guest.agentRunning || guest.runState !== "running") throw new SimHttpError(500, "QEMU guest agent is not running");
  return guest;
}

function osInfo(call: SimCall): unknown {
  return { result: { ...requireAnsweringAgent(call).osInfo } };
}

export const guestAgentRoutes: Route[] = [
  { method: "GET", path: "/nodes/{node}/{kind}/{vmid}/agent/get-osinfo", handler: osInfo, proxied: true },
];
