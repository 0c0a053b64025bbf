import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Language } from "../../config/schema.js";
import { loadTranslations } from "../../homeassistant/translations.js";

const TextsFile = z.record(z.string(), z.string().min(1));

// translations/ sits at the package root: three levels above this file in src/ and in dist/.
const PANEL_TEXTS_DIR = new URL("../../../translations/panel/", import.meta.url);

function readPanelTexts(language: Language): Record<string, string> {
  const url = new URL(`${language}.json`, PANEL_TEXTS_DIR);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(url, "utf8"));
  } catch (error) {
    throw new Error(`Cannot read the panel's texts ${url.pathname} (${(error as Error).message}); reinstall pve2mqtt or set language: en`);
  }
  const result = TextsFile.safeParse(parsed);
  if (!result.success) throw new Error(`The panel's texts ${url.pathname} must map keys to non-empty strings`);
  return result.data;
}

/** The panel's own texts and the entity names (column labels, action names), English filling any gap. */
export function panelTexts(language: Language): Record<string, string> {
  const english = readPanelTexts("en");
  const own = language === "en" ? english : { ...english, ...readPanelTexts(language) };
  return { ...loadTranslations(language), ...own };
}
