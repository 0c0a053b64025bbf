// Bundles the panel's client (web/src) into dist/web: one script, one stylesheet, index.html, plus
// brotli and gzip copies that sirv serves to browsers that accept them. Run by `npm run build`.
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

/** Builds into `outdir` (default dist/web); resolves when every file is written. */
export async function buildPanel(outdir = join(here, "..", "dist", "web")) {
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: [join(here, "src", "main.tsx")],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    outfile: join(outdir, "app.js"),
    legalComments: "none",
    logLevel: "warning",
  });
  copyFileSync(join(here, "index.html"), join(outdir, "index.html"));
  for (const name of ["app.js", "app.css", "index.html"]) {
    const content = readFileSync(join(outdir, name));
    writeFileSync(join(outdir, `${name}.br`), brotliCompressSync(content));
    writeFileSync(join(outdir, `${name}.gz`), gzipSync(content, { level: 9 }));
  }
  return outdir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildPanel(process.argv[2]);
}
