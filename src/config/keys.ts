import type { z } from "zod";

/**
 * What the config schema looks like at one path: a section with keys, a list of sections (its
 * items' keys are documented and suggested, the list is set as a whole), or a leaf value.
 */
export type KeyNode = { kind: "section"; keys: Map<string, KeyNode> } | { kind: "list"; item: KeyNode & { kind: "section" } } | { kind: "leaf" };

interface Def {
  type: string;
  innerType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Walks through defaults, optionals and pipes to the object (section) or leaf they wrap. */
export function keyTree(schema: z.ZodType): KeyNode {
  const def = defOf(schema);
  if (def.type === "object" && def.shape) {
    const keys = new Map<string, KeyNode>();
    for (const [key, child] of Object.entries(def.shape)) keys.set(key, keyTree(child));
    return { kind: "section", keys };
  }
  if (def.type === "array" && def.element) {
    const item = keyTree(def.element);
    return item.kind === "section" ? { kind: "list", item } : { kind: "leaf" };
  }
  if ((def.type === "default" || def.type === "optional" || def.type === "nullable" || def.type === "prefault") && def.innerType) {
    return keyTree(def.innerType);
  }
  if (def.type === "pipe" && def.in && def.out) {
    const out = keyTree(def.out);
    return out.kind !== "leaf" ? out : keyTree(def.in);
  }
  return { kind: "leaf" };
}

/** The node at a dotted path of keys, or undefined when the path leaves the schema. */
export function nodeAt(tree: KeyNode, path: readonly (string | number)[]): KeyNode | undefined {
  let node: KeyNode | undefined = tree;
  for (const part of path) {
    if (node?.kind === "list" && typeof part === "number") node = node.item;
    else if (!node || node.kind !== "section" || typeof part !== "string") return undefined;
    else node = node.keys.get(part);
  }
  return node;
}

/** Every leaf key as a dotted path (`proxmox.hosts`, `commands.backup.storage`, `schedules[].cron`, …). */
export function leafPaths(tree: KeyNode, prefix = ""): string[] {
  if (tree.kind === "leaf") return [prefix];
  if (tree.kind === "list") return leafPaths(tree.item, `${prefix}[]`);
  return [...tree.keys].flatMap(([key, child]) => leafPaths(child, prefix === "" ? key : `${prefix}.${key}`));
}

/** `proxmox.hosts[1]` from `["proxmox", "hosts", 1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text === "" ? "(config)" : text;
}

/** Keys whose values must never be echoed back: passwords, token secrets and http.token (not their `_file` paths). */
export function isSecretKey(key: string): boolean {
  return /(password|secret)$|^token$/.test(key);
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** The known key closest to a mistyped one, when it is close enough to be a plausible typo. */
export function suggestKey(unknown: string, known: Iterable<string>): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(unknown.toLowerCase(), key);
    if (!best || distance < best.distance) best = { key, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}

export function unknownKeyProblem(path: string, key: string, known: Iterable<string>): string {
  const suggestion = suggestKey(key, known);
  return `${path}: unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
}
