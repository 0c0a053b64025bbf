import { describe, expect, it } from "vitest";
import { guestKey, nodeKey, storageKey } from "../../src/inventory/types.js";

describe("device keys", () => {
  it("name a guest by kind and vmid, the same string each time it is asked for", () => {
    expect(guestKey("qemu", 100)).toBe("qemu/100");
    expect(guestKey("lxc", 100)).toBe("lxc/100");
    expect(guestKey("qemu", 100)).toBe(guestKey("qemu", 100));
    expect(nodeKey("pve1")).toBe("node/pve1");
    expect(storageKey("pve1", "local")).toBe("storage/pve1/local");
  });

  it("stay right for any number of vmids (the cache of made keys is bounded, not the answers)", () => {
    for (let vmid = 100; vmid < 100_200 + 100; vmid++) expect(guestKey("qemu", vmid)).toBe(`qemu/${vmid}`);
    expect(guestKey("qemu", 100)).toBe("qemu/100");
  });
});
