import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../../src/config/schema.js";
import { catalogColumns } from "../../src/http/panel/columns.js";
import { toFrame } from "../../src/http/panel/mirror.js";
import { tokenMatches } from "../../src/http/panel/auth.js";
import { privilegeFix } from "../../src/http/panel/privileges.js";
import { panelTexts } from "../../src/http/panel/texts.js";

const file = (language: string) => JSON.parse(readFileSync(new URL(`../../translations/panel/${language}.json`, import.meta.url), "utf8")) as Record<string, string>;

describe("panel texts", () => {
  it("fr and de have every English key, translated", () => {
    const en = file("en");
    for (const language of ["fr", "de"]) {
      const texts = file(language);
      expect(Object.keys(texts).sort()).toEqual(Object.keys(en).sort());
      const translated = Object.keys(en).filter((key) => texts[key] !== en[key]);
      expect(translated.length / Object.keys(en).length).toBeGreaterThan(0.7);
    }
  });

  it("every column label has a text in every language", () => {
    for (const language of LANGUAGES) {
      const texts = panelTexts(language);
      const columns = catalogColumns(texts);
      expect(columns.length).toBeGreaterThan(20);
      for (const column of columns) expect(texts[column.label], `${language}: ${column.label}`).toBeTruthy();
    }
  });
});

describe("toFrame", () => {
  it("splices a JSON payload as JSON and quotes anything else as a string", () => {
    expect(JSON.parse(toFrame("qemu/100", '{"a":1}').frame)).toEqual({ topic: "qemu/100", payload: { a: 1 } });
    expect(JSON.parse(toFrame("qemu/100/availability", "online").frame)).toEqual({ topic: "qemu/100/availability", payload: "online" });
    expect(JSON.parse(toFrame('x"y', '{"a":').frame)).toEqual({ topic: 'x"y', payload: '{"a":' });
    expect(JSON.parse(toFrame("t", "").frame)).toEqual({ topic: "t", payload: "" });
  });
});

describe("tokenMatches", () => {
  it("accepts only the exact token", () => {
    expect(tokenMatches("0123456789abcdef", "0123456789abcdef")).toBe(true);
    expect(tokenMatches("0123456789abcdef", "0123456789abcdeF")).toBe(false);
    expect(tokenMatches("0123456789abcdef", "0123456789abcde")).toBe(false);
    expect(tokenMatches("0123456789abcdef", undefined)).toBe(false);
  });
});

describe("privilegeFix", () => {
  const features = [
    { feature: "guest IPs", ok: false, missing: ["VM.Monitor (PVE 8) or VM.GuestAgent.Audit (PVE 9)"] },
    { feature: "read inventory", ok: false, missing: ["Sys.Audit on /"] },
    { feature: "power", ok: true, missing: [] },
  ];
  it("names the privilege of the running PVE version", () => {
    expect(privilegeFix(features, "8.2.4")).toBe('pveum role modify PVE2MQTT --append 1 --privs "VM.Monitor Sys.Audit"');
    expect(privilegeFix(features, "9.0.3")).toBe('pveum role modify PVE2MQTT --append 1 --privs "VM.GuestAgent.Audit Sys.Audit"');
  });
  it("is null when nothing is missing", () => {
    expect(privilegeFix([{ feature: "power", ok: true, missing: [] }], "8.2.4")).toBeNull();
  });
});
