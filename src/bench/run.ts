/**
 * `npm run bench`: each cluster size in its own process (dist/bench/size.js), then one table and
 * bench/results.json. Exits 1 when a figure misses its target.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { formatMarkdown, formatTable, type ResultRow } from "./report.js";

const SIZES: Array<[nodes: number, guests: number]> = [
  [3, 30],
  [10, 300],
  [20, 2000],
];
const SIZE_SCRIPT = fileURLToPath(new URL("./size.js", import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL("../../bench/", import.meta.url));

function runSize(nodes: number, guests: number): Promise<ResultRow[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIZE_SCRIPT, String(nodes), String(guests)], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const last = output.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`the ${nodes}/${guests} run failed (exit ${code})`));
      try {
        resolve(JSON.parse(last) as ResultRow[]);
      } catch {
        reject(new Error(`the ${nodes}/${guests} run printed no result rows: ${last.slice(0, 200)}`));
      }
    });
  });
}

const started = Date.now();
const rows: ResultRow[] = [];
for (const [nodes, guests] of SIZES) rows.push(...(await runSize(nodes, guests)));
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
process.stdout.write(`\n${formatTable(rows)}\n\nmachine: ${machine}; bench took ${Math.round((Date.now() - started) / 1000)} s\n`);
if (process.env.BENCH_MARKDOWN) process.stdout.write(`\n${formatMarkdown(rows)}\n`);
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(`${RESULTS_DIR}results.json`, `${JSON.stringify(rows, null, 2)}\n`);
process.stdout.write(`wrote bench/results.json (${rows.length} rows)\n`);
const failed = rows.filter((row) => !row.pass);
if (failed.length > 0) {
  process.stdout.write(`${failed.length} figure(s) missed the target\n`);
  process.exitCode = 1;
}
