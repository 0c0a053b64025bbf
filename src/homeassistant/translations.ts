import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Language } from "../config/schema.js";

/** Entity names by translation key (`<device kind>.<entity key>`, e.g. `guest.memory_used`). */
export type Translations = Record<string, string>;

export class TranslationsError extends Error {
  override name = "TranslationsError";
}

const TranslationsFile = z.record(z.string(), z.string().min(1));

// translations/ sits next to src/ and dist/, two levels above this file in both layouts.
const TRANSLATIONS_DIR = new URL("../../translations/", import.meta.url);

function readLanguage(language: Language): Translations {
  const url = new URL(`${language}.json`, TRANSLATIONS_DIR);
  let text: string;
  try {
    text = readFileSync(url, "utf8");
  } catch (error) {
    throw new TranslationsError(`Cannot read translations file ${url.pathname} (${(error as Error).message}); reinstall pve2mqtt or set language: en`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TranslationsError(`Translations file ${url.pathname} is not valid JSON: ${(error as Error).message}`);
  }
  const result = TranslationsFile.safeParse(parsed);
  if (!result.success) {
    throw new TranslationsError(`Translations file ${url.pathname} must map keys to non-empty strings: ${result.error.issues[0]?.message ?? "invalid"}`);
  }
  return result.data;
}

/** The entity names for `language`; a key missing there falls back to English. */
export function loadTranslations(language: Language): Translations {
  const english = readLanguage("en");
  return language === "en" ? english : { ...english, ...readLanguage(language) };
}
