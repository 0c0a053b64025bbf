import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../src/homeassistant/catalog.js";
import { renderEntityReference } from "../src/homeassistant/reference.js";

describe("docs/entities.md", () => {
  it("matches what the entity catalog generates (run `npm run docs` after changing the catalog)", () => {
    const committed = readFileSync(new URL("../docs/entities.md", import.meta.url), "utf8");
    expect(committed).toBe(renderEntityReference());
  });

  it("lists every catalog row", () => {
    const text = renderEntityReference();
    for (const rows of Object.values(CATALOG)) for (const row of rows) expect(text).toContain(`\`${row.key}\``);
  });
});
