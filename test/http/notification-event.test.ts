import { describe, expect, it } from "vitest";
import { parseNotification } from "../../src/http/notification-event.js";
import { randomBody, seededRandom } from "./fuzz.js";

const VALID = { title: "t", message: "m", severity: "warning", timestamp: 0, fields: { type: "fencing", hostname: "pve3" } };

describe("parseNotification", () => {
  it("turns a PVE body into the contract's event", () => {
    expect(parseNotification(JSON.stringify(VALID))).toEqual({
      ok: true,
      event: { type: "fencing", event_type: "fencing", severity: "warning", title: "t", message: "m", hostname: "pve3", job_id: null, time: "1970-01-01T00:00:00.000Z" },
    });
  });

  it("treats empty metadata fields as absent", () => {
    const parsed = parseNotification(JSON.stringify({ ...VALID, fields: { type: "", hostname: "", "job-id": "" } }));
    expect(parsed).toMatchObject({ ok: true, event: { type: "other", event_type: "other", hostname: null, job_id: null } });
  });

  it("names every problem, without the values, in the log reason", () => {
    const parsed = parseNotification(JSON.stringify({ title: 1, message: "secret-value", severity: ["x"], timestamp: "soon", fields: null }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toMatch(/^not a PVE notification: title: .*expected string.*; severity: .*; timestamp: .*; fields: /);
    expect(parsed.logReason).not.toContain("soon");
  });

  it("quotes no part of the body in the log reason of a JSON syntax error", () => {
    const parsed = parseNotification(`{"title": "SENSITIVE-TEXT`);
    expect(parsed).toMatchObject({ ok: false, logReason: "the body is not JSON" });
  });

  it("survives 10,000 random bodies: each is an event or a short reason, and no log reason quotes the body", () => {
    const random = seededRandom(17);
    let accepted = 0;
    for (let i = 0; i < 10_000; i++) {
      const body = randomBody(random, "QUOTED");
      const parsed = parseNotification(body);
      if (parsed.ok) {
        accepted++;
        expect(Number.isNaN(Date.parse(parsed.event.time))).toBe(false);
        expect(typeof parsed.event.type).toBe("string");
      } else {
        expect(parsed.reason.length).toBeLessThanOrEqual(300);
        expect(parsed.logReason.length).toBeLessThanOrEqual(100);
        expect(parsed.logReason).not.toContain("QUOTED");
      }
    }
    // the generator mixes valid bodies in: both paths are exercised
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(9_900);
  });
});
