/** One measured figure at one cluster size, as written to bench/results.json. */
export interface ResultRow {
  size: string;
  figure: string;
  value: number;
  target: string;
  pass: boolean;
}

export function sizeLabel(nodes: number, guests: number): string {
  return `${nodes} nodes / ${guests.toLocaleString("en-US")} guests`;
}

/** A row whose target is an upper bound. */
export function atMost(size: string, figure: string, value: number, limit: number, targetText = `≤ ${round(limit)}`): ResultRow {
  return { size, figure, value: round(value), target: targetText, pass: value <= limit };
}

/** A row whose target is one exact value (a count the scenario must reach). */
export function exactly(size: string, figure: string, value: number, expected: number, targetText = `= ${expected}`): ResultRow {
  return { size, figure, value: round(value), target: targetText, pass: value === expected };
}

/** A row reported for information, with no target: it always passes. */
export function info(size: string, figure: string, value: number): ResultRow {
  return { size, figure, value: round(value), target: "(reported)", pass: true };
}

/** Two decimals below 100, one from 100 (a peak of 120.4 MB must not read as the 120 it misses). */
export function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value * 10) / 10 : Math.round(value * 100) / 100;
}

/** The 95th percentile (nearest rank). */
export function p95(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/** A plain-text table: size, figure, value, target, pass/fail. */
export function formatTable(rows: ResultRow[]): string {
  const header = ["size", "figure", "value", "target", "result"];
  const cells = rows.map((row) => [row.size, row.figure, String(row.value), row.target, row.pass ? "pass" : "FAIL"]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...cells.map(line)].join("\n");
}

/** The same table in Markdown, for the README. */
export function formatMarkdown(rows: ResultRow[]): string {
  const lines = ["| size | figure | value | target | result |", "|---|---|---|---|---|"];
  for (const row of rows) lines.push(`| ${row.size} | ${row.figure} | ${row.value} | ${row.target} | ${row.pass ? "pass" : "**fail**"} |`);
  return lines.join("\n");
}

/**
 * Runs a bench script's `main`: its rows as the last stdout line (JSON) and exit 0, or the error on
 * stderr and exit 1.
 */
export function reportRows(label: string, main: () => Promise<ResultRow[]>): void {
  main().then(
    (rows) => {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`[bench ${label}] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
