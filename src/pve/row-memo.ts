import type { z } from "zod";

type Shape = Readonly<Record<string, z.ZodType>>;
type Fields = Record<string, unknown>;

/**
 * The rows of a list answer validated last time, by row id: a row whose fields are all identical
 * (`===`) to the ones validated last time is last time's object, not validated again; any other
 * row goes through the schema. Meant for `/cluster/resources`, which repeats every row every cycle
 * (stopped guests and storages unchanged), and lets what is built from a row be reused with it.
 *
 * Sound only for object schemas without transforms (a field's output is its input): only the
 * fields of the shape are compared; `shapeOf` returns the shape that validates a row of that kind.
 */
export class RowMemo<T> {
  /** By row id: the validated row and the answer it was last seen in (updated in place, no new map per answer). */
  private readonly known = new Map<string, { row: T; answer: number }>();
  private answer = 0;
  private seen = 0;

  constructor(
    private readonly idOf: (row: Fields) => string | undefined,
    private readonly shapeOf: (row: Fields) => Shape | undefined,
  ) {}

  /**
   * Last time's validated row when `raw` has the very same fields (noted for the next answer too),
   * else undefined: validate it and `remember` the result.
   */
  reuse(raw: unknown): T | undefined {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
    const row = raw as Fields;
    const id = this.idOf(row);
    if (id === undefined) return undefined;
    const entry = this.known.get(id);
    if (entry === undefined || entry.answer !== this.answer - 1) return undefined;
    const shape = this.shapeOf(row);
    if (shape === undefined) return undefined;
    const fields = entry.row as Fields;
    for (const key in shape) if (row[key] !== fields[key]) return undefined;
    this.note(entry);
    return entry.row;
  }

  /** Notes the validated row of this answer. */
  remember(raw: unknown, validated: T): void {
    const id = typeof raw === "object" && raw !== null ? this.idOf(raw as Fields) : undefined;
    if (id === undefined) return;
    const entry = this.known.get(id);
    if (entry === undefined) {
      this.known.set(id, { row: validated, answer: this.answer });
      this.seen++;
      return;
    }
    entry.row = validated;
    this.note(entry);
  }

  /** Ends an answer: what it held is what the next one is compared with (rows it lacked are forgotten). */
  finish(): void {
    if (this.seen !== this.known.size) {
      for (const [id, entry] of this.known) if (entry.answer !== this.answer) this.known.delete(id);
    }
    this.answer++;
    this.seen = 0;
  }

  private note(entry: { answer: number }): void {
    // a row id repeated within one answer is counted once
    if (entry.answer !== this.answer) {
      entry.answer = this.answer;
      this.seen++;
    }
  }
}
