/**
 * Identical values: arrays element by element, objects field by field (nested arrays and objects
 * compared the same way). For "is what was built now the same as last time's?", so
 * last time's object is kept and the new one dropped at once. Objects are compared over the fields
 * of `a`: meant for two values of the same type, whose fields are the same.
 */
export function sameValues(a: object | null | undefined, b: object | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && sameElements(a, b);
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  for (const key in left) {
    const x = left[key];
    const y = right[key];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && sameElements(x, y)) continue;
    if (x && y && typeof x === "object" && typeof y === "object" && !Array.isArray(x) && !Array.isArray(y) && sameValues(x, y)) continue;
    return false;
  }
  return true;
}

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
