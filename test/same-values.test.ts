import { describe, expect, it } from "vitest";
import { sameValues } from "../src/same-values.js";

describe("sameValues", () => {
  it("compares arrays element by element, whatever their lengths", () => {
    expect(sameValues([], [])).toBe(true);
    expect(sameValues(["a", "b"], ["a", "b"])).toBe(true);
    expect(sameValues([], ["a"])).toBe(false);
    expect(sameValues(["a"], [])).toBe(false);
    expect(sameValues(["a", "b"], ["b", "a"])).toBe(false);
    expect(sameValues(["a"], { 0: "a" })).toBe(false);
  });

  it("compares objects field by field, nested arrays and objects included", () => {
    const guest = { cpu: 0.1, tags: ["a"], counters: { netin: 1, netout: 2 }, name: null };
    expect(sameValues(guest, { cpu: 0.1, tags: ["a"], counters: { netin: 1, netout: 2 }, name: null })).toBe(true);
    expect(sameValues(guest, { ...guest, cpu: 0.2 })).toBe(false);
    expect(sameValues(guest, { ...guest, tags: ["a", "b"] })).toBe(false);
    expect(sameValues(guest, { ...guest, tags: [] })).toBe(false);
    expect(sameValues(guest, { ...guest, counters: { netin: 1, netout: 3 } })).toBe(false);
    expect(sameValues(guest, { ...guest, counters: null })).toBe(false);
    expect(sameValues(guest, { ...guest, name: "web" })).toBe(false);
  });

  it("null and undefined are equal only to themselves", () => {
    expect(sameValues(null, null)).toBe(true);
    expect(sameValues(undefined, undefined)).toBe(true);
    expect(sameValues(null, {})).toBe(false);
    expect(sameValues({}, undefined)).toBe(false);
  });
});
