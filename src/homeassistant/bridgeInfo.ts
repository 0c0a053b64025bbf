/*
 * The fields of the retained `B/bridge/info` JSON that the bridge's Home Assistant entities read.
 * The bridge publishes at least these (it may add more, e.g. each host's health):
 *
 *   version             pve2mqtt version, "0.1.0"
 *   cluster             cluster name
 *   pve_version         PVE version of the connected host, "8.2.4", or null
 *   quorate             true/false, or null when unknown
 *   connected_host      origin of the host that answered last, "https://192.0.2.11:8006", or null
 *   last_poll           ISO-8601 UTC time the last poll ended, or null before the first
 *   last_poll_duration  seconds the last poll took, or null
 *   last_poll_result    "ok" | "error", or null before the first poll
 */
export interface BridgeInfoFields {
  version: string;
  cluster: string;
  pve_version: string | null;
  quorate: boolean | null;
  connected_host: string | null;
  last_poll: string | null;
  last_poll_duration: number | null;
  last_poll_result: "ok" | "error" | null;
}
