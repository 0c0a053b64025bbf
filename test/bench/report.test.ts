import { describe, expect, it } from "vitest";
import { atMost, formatMarkdown, formatTable, p95, sizeLabel } from "../../src/bench/report.js";

describe("bench report", () => {
  it("passes a figure at or under its limit and fails it above", () => {
    const size = sizeLabel(20, 2000);
    expect(size).toBe("20 nodes / 2,000 guests");
    expect(atMost(size, "core requests", 22, 22, "≤ 2 + N = 22")).toEqual({ size, figure: "core requests", value: 22, target: "≤ 2 + N = 22", pass: true });
    expect(atMost(size, "peak RSS (MB)", 120.004, 120).pass).toBe(false);
    expect(atMost(size, "ratio", 3.456, 3)).toMatchObject({ value: 3.46, target: "≤ 3", pass: false });
    expect(atMost(size, "peak RSS (MB)", 120.44, 120)).toMatchObject({ value: 120.4, pass: false });
  });

  it("takes the nearest-rank 95th percentile", () => {
    const fifty = Array.from({ length: 50 }, (_, i) => 50 - i); // 50…1, unsorted
    expect(p95(fifty)).toBe(48);
    expect(p95([7])).toBe(7);
    expect(Number.isNaN(p95([]))).toBe(true);
  });

  it("prints one aligned line per row with pass or FAIL, and the same rows in Markdown", () => {
    const rows = [atMost("3 nodes / 30 guests", "core", 5, 5), atMost("3 nodes / 30 guests", "logins", 4, 3)];
    const lines = formatTable(rows).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^size\s+figure\s+value\s+target\s+result$/);
    expect(lines[2]).toMatch(/core\s+5\s+≤ 5\s+pass$/);
    expect(lines[3]).toMatch(/logins\s+4\s+≤ 3\s+FAIL$/);
    expect(lines[2]!.indexOf("5")).toBe(lines[3]!.indexOf("4"));
    expect(formatMarkdown(rows)).toContain("| 3 nodes / 30 guests | logins | 4 | ≤ 3 | **fail** |");
  });
});
