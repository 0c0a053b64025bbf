import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LANGUAGES } from "../../src/config/schema.js";
import { CATALOG, entityKey, hasEntity, translationKey, type DeviceKind, type Row } from "../../src/catalog/index.js";
import { loadTranslations } from "../../src/homeassistant/translations.js";
import { SCHEDULE_DEVICE_NAME_KEY, SCHEDULE_ROWS } from "../../src/schedules/entities.js";

const scheduleKeys = [SCHEDULE_DEVICE_NAME_KEY, ...SCHEDULE_ROWS.map((row) => `schedule.${row.key}`)];
const catalogKeys = [
  ...(Object.keys(CATALOG) as DeviceKind[]).flatMap((kind) => (CATALOG[kind] as readonly Row<never>[]).filter(hasEntity).map((row) => translationKey(kind, entityKey(row)))),
  ...scheduleKeys,
];
const file = (language: string) => JSON.parse(readFileSync(new URL(`../../translations/${language}.json`, import.meta.url), "utf8")) as Record<string, string>;

describe("translations", () => {
  for (const language of LANGUAGES) {
    it(`${language}.json names every catalog entity and nothing else`, () => {
      const names = file(language);
      expect(Object.keys(names).sort()).toEqual([...catalogKeys].sort());
      for (const key of catalogKeys) expect(names[key]?.trim()).toBeTruthy();
    });
  }

  it("French and German are real translations, not copies of English", () => {
    const en = file("en");
    for (const language of ["fr", "de"]) {
      const names = file(language);
      const different = catalogKeys.filter((key) => names[key] !== en[key]);
      expect(different.length / catalogKeys.length).toBeGreaterThan(0.8);
    }
    expect(file("fr")["guest.memory_used"]).toBe("Mémoire utilisée");
    expect(file("de")["node.shutdown"]).toBe("Herunterfahren");
  });

  it("loadTranslations reads the language's file and covers every key", () => {
    for (const language of LANGUAGES) {
      const names = loadTranslations(language);
      for (const key of catalogKeys) expect(names[key]).toBe(file(language)[key]);
    }
  });
});
