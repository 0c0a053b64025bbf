/** Matchers already built, by the config's array: a poll must not recompile the globs (or make a new function V8 optimizes again). */
const matchers = new WeakMap<readonly string[], (node: string) => boolean>();

/** Node-name globs of `filter.nodes`: `*` matches any run of characters, `?` one character. */
export function nodeMatcher(globs: readonly string[]): (node: string) => boolean {
  const known = matchers.get(globs);
  if (known) return known;
  const patterns = globs.map(
    (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i"),
  );
  const matcher = (node: string): boolean => {
    for (const pattern of patterns) if (pattern.test(node)) return true;
    return false;
  };
  matchers.set(globs, matcher);
  return matcher;
}
