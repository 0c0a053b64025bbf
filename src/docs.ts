#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { renderEntityReference, renderStateReference } from "./catalog/reference.js";

/** `npm run docs`: regenerates the references made from the catalog. */
const pages: Array<[string, string]> = [
  ["../docs/entities.md", renderEntityReference()],
  ["../docs/states.md", renderStateReference()],
];
for (const [path, text] of pages) {
  const target = new URL(path, import.meta.url);
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
