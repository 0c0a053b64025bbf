/** Node-name globs of `filter.nodes`: `*` matches any run of characters, `?` one character. */
export function nodeMatcher(globs: readonly string[]): (node: string) => boolean {
  const patterns = globs.map(
    (glob) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i"),
  );
  return (node) => patterns.some((pattern) => pattern.test(node));
}
