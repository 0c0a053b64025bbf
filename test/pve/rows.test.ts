import { describe, expect, it } from "vitest";
import { PveResponseError } from "../../src/pve/errors.js";
import { RowValidator } from "../../src/pve/rows.js";
import { GuestResourceSchema, KNOWN_RESOURCE_TYPES, NodeStatusSchema, ResourceRowSchema } from "../../src/pve/schemas.js";
import { captureLog } from "./log-capture.js";

const WARN = 40;
const qemu = (vmid: number, extra: Record<string, unknown> = {}) => ({ id: `qemu/${vmid}`, type: "qemu", vmid, node: "pve1", maxmem: 1024, ...extra });
const known = (row: unknown) => KNOWN_RESOURCE_TYPES.has((row as { type: string }).type);

describe("RowValidator.rows", () => {
  it("skips a bad row, keeps the rest and logs once per endpoint and field", () => {
    const capture = captureLog("warn");
    const validator = new RowValidator(capture.log);
    const data = [qemu(100), qemu(101, { maxmem: "lots" }), qemu(102, { maxmem: "more" }), qemu(103)];
    const first = validator.rows(ResourceRowSchema, data, "/cluster/resources", "/cluster/resources", { keep: known });
    expect(first.rows.map((row) => (row.type === "qemu" ? row.vmid : null))).toEqual([100, 103]);
    expect(first.skipped).toBe(2);
    const second = validator.rows(ResourceRowSchema, data, "/cluster/resources", "/cluster/resources", { keep: known });
    expect(second.skipped).toBe(2);
    expect(capture.messages(WARN)).toEqual(["skipping a row of /cluster/resources: maxmem: expected number, got string"]);
  });

  it("a row the check accepts is kept as PVE sent it; one it refuses is parsed, skipped and named", () => {
    const capture = captureLog("warn");
    const validator = new RowValidator(capture.log);
    const good = qemu(100, { pool: "lab" });
    const data = [good, qemu(101, { vmid: 1.5 }), { id: "storage/pve1/local", type: "storage", node: "pve1" }];
    const result = validator.rows(ResourceRowSchema, data, "/cluster/resources", "/cluster/resources", { keep: known, check: (row) => GuestResourceSchema.validate(row) });
    expect(result.rows[0]).toBe(good);
    expect(result.rows).toHaveLength(1);
    expect(result.skipped).toBe(2);
    expect(capture.messages(WARN)).toEqual([
      "skipping a row of /cluster/resources: vmid: expected int, got number",
      "skipping a row of /cluster/resources: storage: expected string, got nothing",
    ]);
  });

  it("logs a different field of the same endpoint once more", () => {
    const capture = captureLog("warn");
    const validator = new RowValidator(capture.log);
    validator.rows(ResourceRowSchema, [qemu(100, { maxmem: "x" }), qemu(101, { node: 5 })], "/cluster/resources", "/cluster/resources");
    expect(capture.messages(WARN)).toEqual([
      "skipping a row of /cluster/resources: maxmem: expected number, got string",
      "skipping a row of /cluster/resources: node: expected string, got number",
    ]);
  });

  it("drops rows the keep filter refuses without counting or logging them", () => {
    const capture = captureLog("warn");
    const validator = new RowValidator(capture.log);
    const data = [{ id: "/pool/lab", type: "pool", pool: "lab" }, { id: "sdn/pve1/localnetwork", type: "sdn" }, qemu(100)];
    const result = validator.rows(ResourceRowSchema, data, "/cluster/resources", "/cluster/resources", { keep: known });
    expect(result).toMatchObject({ skipped: 0 });
    expect(result.rows).toHaveLength(1);
    expect(capture.messages(WARN)).toEqual([]);
  });

  it("null is an empty list; anything else that is not a list is an error", () => {
    const validator = new RowValidator(captureLog().log);
    expect(validator.rows(ResourceRowSchema, null, "/x", "/x")).toEqual({ rows: [], skipped: 0 });
    expect(() => validator.rows(ResourceRowSchema, { a: 1 }, "/x", "/x")).toThrow(PveResponseError);
  });
});

describe("RowValidator.one", () => {
  it("names the path and the field of a bad object", () => {
    const validator = new RowValidator(captureLog().log);
    expect(() => validator.one(NodeStatusSchema, { uptime: "long" }, "/nodes/pve1/status")).toThrow(
      "response from /nodes/pve1/status is not as expected: uptime: expected number, got string",
    );
  });

  it("returns the parsed value, with PVE's string numbers converted", () => {
    const validator = new RowValidator(captureLog().log);
    const status = validator.one(NodeStatusSchema, { loadavg: ["0.58", "0.47", "0.41"], cpuinfo: { mhz: "3997.481" } }, "/nodes/pve1/status");
    expect(status.loadavg).toEqual([0.58, 0.47, 0.41]);
    expect(status.cpuinfo?.mhz).toBe(3997.481);
  });
});
