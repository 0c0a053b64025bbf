import { describe, expect, it } from "vitest";
import { guestDiscovery, nodeDiscovery, storageDiscovery, type DiscoveryMessage } from "../../src/homeassistant/discovery.js";
import { CLUSTER, makeConfig, makeContext } from "./fixtures.js";

const vm = CLUSTER.guests[0]!;
const ct = CLUSTER.guests[2]!;
const node = CLUSTER.nodes[0]!;

function buttons(messages: DiscoveryMessage[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(messages.filter((m) => m.topic.includes("/button/")).map((m) => [m.payload.payload_press as string, m.payload]));
}
const actions = (messages: DiscoveryMessage[]) => Object.keys(buttons(messages)).sort();

describe("buttons", () => {
  it("a guest gets a button for every allowed action plus refresh, publishing the bare action word on <device>/set", () => {
    const ctx = makeContext();
    expect(actions(guestDiscovery(ctx, vm))).toEqual(["backup", "reboot", "refresh", "resume", "shutdown", "snapshot", "start", "stop", "suspend"]);
    const start = buttons(guestDiscovery(ctx, vm)).start!;
    expect(start).toMatchObject({ command_topic: "pve2mqtt/qemu/100/set", payload_press: "start" });
    expect(start).not.toHaveProperty("entity_category");
    expect(buttons(guestDiscovery(ctx, vm)).reboot).toMatchObject({ device_class: "restart" });
    expect(buttons(guestDiscovery(ctx, vm)).refresh).toMatchObject({ entity_category: "diagnostic" });
  });

  it("containers get no suspend/resume buttons", () => {
    expect(actions(guestDiscovery(makeContext(), ct))).toEqual(["backup", "reboot", "refresh", "shutdown", "snapshot", "start", "stop"]);
  });

  it("only actions in commands.allow get buttons", () => {
    const ctx = makeContext(makeConfig({ commands: { allow: ["start", "snapshot"] } }));
    expect(actions(guestDiscovery(ctx, vm))).toEqual(["refresh", "snapshot", "start"]);
    const viaEnv = makeContext(makeConfig({ commands: { allow: "stop,suspend" } }));
    expect(actions(guestDiscovery(viaEnv, ct))).toEqual(["refresh", "stop"]);
  });

  it("a read-only bridge (commands.enabled false) keeps only refresh buttons", () => {
    const ctx = makeContext(makeConfig({ commands: { enabled: false, node_power: true } }));
    expect(actions(guestDiscovery(ctx, vm))).toEqual(["refresh"]);
    expect(actions(nodeDiscovery(ctx, node))).toEqual(["refresh"]);
  });

  it("node power buttons appear only with commands.node_power", () => {
    expect(actions(nodeDiscovery(makeContext(), node))).toEqual(["refresh"]);
    const ctx = makeContext(makeConfig({ commands: { node_power: true, allow: [] } }));
    expect(actions(nodeDiscovery(ctx, node))).toEqual(["reboot", "refresh", "shutdown", "startall", "stopall"]);
    expect(buttons(nodeDiscovery(ctx, node)).stopall).toMatchObject({ command_topic: "pve2mqtt/node/pve1/set" });
  });

  it("a storage has a refresh button on its own /set topic", () => {
    expect(buttons(storageDiscovery(makeContext(), CLUSTER.storages[1]!)).refresh).toMatchObject({ command_topic: "pve2mqtt/storage/pve1/local_lvm/set" });
  });
});
