import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG, entityKey, hasEntity, isValueRow, type Row } from "../src/catalog/index.js";
import { renderEntityReference, renderStateReference } from "../src/catalog/reference.js";

describe("docs/entities.md", () => {
  it("matches what the entity catalog generates (run `npm run docs` after changing the catalog)", () => {
    const committed = readFileSync(new URL("../docs/entities.md", import.meta.url), "utf8");
    expect(committed).toBe(renderEntityReference());
  });

  it("lists every catalog entity", () => {
    const text = renderEntityReference();
    for (const rows of Object.values(CATALOG)) for (const row of (rows as readonly Row<never>[]).filter(hasEntity)) expect(text).toContain(`\`${entityKey(row)}\``);
  });
});

describe("docs/states.md", () => {
  it("matches what the catalog generates (run `npm run docs` after changing the catalog)", () => {
    const committed = readFileSync(new URL("../docs/states.md", import.meta.url), "utf8");
    expect(committed).toBe(renderStateReference());
  });

  it("lists every state field", () => {
    const text = renderStateReference();
    for (const [kind, rows] of Object.entries(CATALOG)) {
      if (kind === "bridge") continue;
      for (const row of (rows as readonly Row<never>[]).filter(isValueRow)) expect(text).toContain(`\`${row.field}\``);
    }
  });
});
