#!/usr/bin/env node
import { writeFileSync } from "node:fs";
import { renderEntityReference } from "./homeassistant/reference.js";

/** `npm run docs`: regenerates docs/entities.md from the entity catalog. */
const target = new URL("../docs/entities.md", import.meta.url);
writeFileSync(target, renderEntityReference());
console.log(`wrote ${target.pathname}`);
