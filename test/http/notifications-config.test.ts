import { describe, expect, it } from "vitest";
import { load, MINIMAL, problemsOf } from "../config/helpers.js";

describe("notifications.secret", () => {
  it("is absent by default and read from the file or the environment", () => {
    expect(load(MINIMAL).notifications).toEqual({});
    expect(load(`${MINIMAL}notifications:\n  secret: "0123456789abcdef-file"\n`).notifications.secret).toBe("0123456789abcdef-file");
    expect(load(MINIMAL, { PVE2MQTT_NOTIFICATIONS__SECRET: "0123456789abcdef-env" }).notifications.secret).toBe("0123456789abcdef-env");
  });

  it("refuses a short or non-string secret without echoing it", () => {
    const short = problemsOf(MINIMAL, { PVE2MQTT_NOTIFICATIONS__SECRET: "short-one" });
    expect(short).toHaveLength(1);
    expect(short[0]).toBe("notifications.secret (from PVE2MQTT_NOTIFICATIONS__SECRET): expected a secret of at least 16 characters (e.g. openssl rand -hex 24), given: (hidden)");
    expect(short.join("\n")).not.toContain("short-one");
    const number = problemsOf(`${MINIMAL}notifications:\n  secret: 12345678901234567890\n`);
    expect(number).toEqual(["notifications.secret: expected a string, given: (hidden)"]);
  });

  it("names an unknown key of the section", () => {
    expect(problemsOf(`${MINIMAL}notifications:\n  secrets: "0123456789abcdef-file"\n`)).toEqual(["notifications.secrets: unknown key (did you mean secret?)"]);
  });
});
