import type { Texts } from "./types.js";

/** `t(key, vars)`: the configured language's text, `{name}` replaced; a missing key shows readably. */
export function makeTexts(texts: Record<string, string>): Texts {
  return (key, vars) => {
    let text = texts[key] ?? humanize(key);
    if (vars) for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
    return text;
  };
}

function humanize(key: string): string {
  const last = key.split(".").pop() ?? key;
  const words = last.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
