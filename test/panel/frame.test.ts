import { describe, expect, it } from "vitest";
import { ownFrame, toFrame } from "../../src/http/panel/frame.js";

describe("ownFrame", () => {
  it("gives the bridge's own payloads the frame the checked path gives them, objects without parsing", () => {
    const payloads = ['{"vmid":100,"name":"web \\"prod\\"","cpu":0.25,"tags":["a","b"],"last_seen":"2025-01-01T00:00:00.000Z"}', "online", "offline", "", "42", "ON"];
    for (const payload of payloads) {
      const frame = ownFrame("qemu/100", payload);
      expect(frame).toBe(toFrame("qemu/100", payload).frame);
      expect(JSON.parse(frame)).toEqual({ topic: "qemu/100", payload: toFrame("qemu/100", payload).value });
    }
    expect(JSON.parse(ownFrame("bridge/state", "online"))).toEqual({ topic: "bridge/state", payload: "online" });
  });
});
