import { describe, expect, it } from "vitest";
import { availabilityTopic, bridgeTopic, commandTopic, deviceSlug, deviceTopic, resultTopic } from "../../src/homeassistant/topics.js";

describe("topics", () => {
  it("slugs every part of a device key after the kind", () => {
    expect(deviceTopic("pve2mqtt", "node/pve1")).toBe("pve2mqtt/node/pve1");
    expect(deviceTopic("pve2mqtt", "node/PVE-2")).toBe("pve2mqtt/node/pve_2");
    expect(deviceTopic("pve2mqtt", "qemu/100")).toBe("pve2mqtt/qemu/100");
    expect(deviceTopic("pve2mqtt", "lxc/101")).toBe("pve2mqtt/lxc/101");
    expect(deviceTopic("site/pve", "storage/pve1/NAS.backup-1")).toBe("site/pve/storage/pve1/nas_backup_1");
  });
  it("builds device slugs, availability, set and result topics", () => {
    expect(deviceSlug("storage/pve1/local-lvm")).toBe("storage_pve1_local_lvm");
    expect(deviceSlug("node/pve1")).toBe("node_pve1");
    expect(availabilityTopic("B", "qemu/100")).toBe("B/qemu/100/availability");
    expect(commandTopic("B", "lxc/101")).toBe("B/lxc/101/set");
    expect(resultTopic("B", "node/pve1")).toBe("B/node/pve1/result");
  });
  it("names the bridge topics", () => {
    expect(bridgeTopic("B", "state")).toBe("B/bridge/state");
    expect(bridgeTopic("B", "info")).toBe("B/bridge/info");
    expect(bridgeTopic("B", "request/refresh")).toBe("B/bridge/request/refresh");
  });
  it("refuses a malformed device key", () => {
    expect(() => deviceTopic("B", "qemu")).toThrow(/Invalid device key/);
    expect(() => deviceTopic("B", "storage//local")).toThrow(/Invalid device key/);
  });
});
