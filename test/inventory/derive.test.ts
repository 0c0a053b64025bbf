import { describe, expect, it } from "vitest";
import { deriveGuestStatus } from "../../src/inventory/derive.js";

describe("deriveGuestStatus", () => {
  it.each([
    // /cluster/resources rows: status already carries the QMP state
    [{ status: "running" }, "running"],
    [{ status: "paused" }, "paused"],
    [{ status: "prelaunch" }, "prelaunch"],
    [{ status: "io-error" }, "io-error"],
    [{ status: "suspended" }, "suspended"],
    [{ status: "inmigrate" }, "migrating"],
    [{ status: "postmigrate" }, "migrating"],
    [{ status: "stopped" }, "stopped"],
    [{ status: "stopped", lock: "suspended" }, "hibernated"],
    [{ status: "stopped", lock: "backup" }, "stopped"],
    [{ status: "unknown" }, "unknown"],
    [{ status: "something-new" }, "unknown"],
    [{}, "unknown"],
    // status/current: running|stopped plus qmpstatus
    [{ status: "running", qmpstatus: "running" }, "running"],
    [{ status: "running", qmpstatus: "paused" }, "paused"],
    [{ status: "running", qmpstatus: "prelaunch" }, "prelaunch"],
    [{ status: "running", qmpstatus: "suspended" }, "suspended"],
    [{ status: "running", qmpstatus: "inmigrate" }, "migrating"],
    [{ status: "running", qmpstatus: "internal-error" }, "io-error"],
    [{ status: "running", qmpstatus: "guest-panicked" }, "io-error"],
    [{ status: "running", qmpstatus: "colo" }, "unknown"],
    [{ status: "stopped", qmpstatus: "stopped", lock: "suspended" }, "hibernated"],
    [{ status: "stopped", qmpstatus: "stopped", lock: "migrate" }, "stopped"],
    // lxc status/current: no qmpstatus
    [{ status: "running", lock: "backup" }, "running"],
  ] as const)("%j → %s", (input, expected) => {
    expect(deriveGuestStatus({ ...input, nodeOnline: true })).toBe(expected);
  });

  it("says unknown whenever the guest's node is not online", () => {
    expect(deriveGuestStatus({ status: "running", nodeOnline: false })).toBe("unknown");
    expect(deriveGuestStatus({ status: "stopped", lock: "suspended", nodeOnline: false })).toBe("unknown");
  });
});
