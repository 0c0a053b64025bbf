/*
 * A small renderer for the subset of Jinja2 our value templates use, with Jinja's semantics where
 * they matter to Home Assistant: arithmetic or comparison ordering on None raises (HA logs a
 * template error and the entity breaks), attribute access on None raises, `x if c else y` only
 * evaluates the branch it takes, filters bind tighter than arithmetic, output is Python's str().
 * Anything outside the subset throws, so a template the validator cannot read fails the test.
 */

type Value = null | boolean | number | string | Value[] | { [key: string]: Value };

export class TemplateError extends Error {
  override name = "TemplateError";
}

interface Token {
  kind: "num" | "str" | "name" | "op";
  text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|\*\*|\/\/|[-+*/%<>()[\]{}.,:|~]))/y;
  let index = 0;
  while (index < source.length) {
    if (/^\s*$/.test(source.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(source);
    if (!match) throw new TemplateError(`cannot read template at "${source.slice(index)}"`);
    index = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: "num", text: match[1] });
    else if (match[2] !== undefined) tokens.push({ kind: "str", text: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: "str", text: match[3] });
    else if (match[4] !== undefined) tokens.push({ kind: "name", text: match[4] });
    else tokens.push({ kind: "op", text: match[5]! });
  }
  return tokens;
}

type Node = (scope: Record<string, Value>) => Value;

function truthy(value: Value): boolean {
  if (value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function number(value: Value, operation: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw new TemplateError(`unsupported operand for ${operation}: ${value === null ? "NoneType" : typeof value}`);
}

function pyRound(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Python's str() of a value, which is what Home Assistant receives as the rendered state. */
function pyStr(value: Value, nested = false): string {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return value.toString();
  if (typeof value === "string") return nested ? `'${value}'` : value;
  if (Array.isArray(value)) return `[${value.map((item) => pyStr(item, true)).join(", ")}]`;
  return `{${Object.entries(value).map(([key, item]) => `'${key}': ${pyStr(item, true)}`).join(", ")}}`;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parseAll(): Node {
    const node = this.expression();
    if (this.position < this.tokens.length) throw new TemplateError(`unexpected "${this.tokens[this.position]!.text}"`);
    return node;
  }

  private peek(text?: string): Token | undefined {
    const token = this.tokens[this.position];
    if (text !== undefined && token?.text !== text) return undefined;
    return token;
  }
  private accept(text: string): boolean {
    const token = this.tokens[this.position];
    if (token && token.text === text && token.kind !== "str") {
      this.position += 1;
      return true;
    }
    return false;
  }
  private expect(text: string): void {
    if (!this.accept(text)) throw new TemplateError(`expected "${text}" at "${this.tokens[this.position]?.text ?? "end"}"`);
  }

  private expression(): Node {
    const body = this.or();
    if (!this.accept("if")) return body;
    const condition = this.or();
    const otherwise: Node = this.accept("else") ? this.expression() : () => null;
    return (scope) => (truthy(condition(scope)) ? body(scope) : otherwise(scope));
  }
  private or(): Node {
    let left = this.and();
    while (this.accept("or")) {
      const a = left;
      const b = this.and();
      left = (scope) => {
        const value = a(scope);
        return truthy(value) ? value : b(scope);
      };
    }
    return left;
  }
  private and(): Node {
    let left = this.not();
    while (this.accept("and")) {
      const a = left;
      const b = this.not();
      left = (scope) => {
        const value = a(scope);
        return truthy(value) ? b(scope) : value;
      };
    }
    return left;
  }
  private not(): Node {
    if (this.accept("not")) {
      const inner = this.not();
      return (scope) => !truthy(inner(scope));
    }
    return this.compare();
  }
  private compare(): Node {
    let left = this.additive();
    for (;;) {
      const token = this.peek();
      if (!token || token.kind === "str") return left;
      const a = left;
      if (token.text === "is") {
        this.position += 1;
        const negate = this.accept("not");
        const test = this.tokens[this.position++];
        if (test?.text !== "none" && test?.text !== "defined") throw new TemplateError(`unsupported test "is ${test?.text}"`);
        left = (scope) => {
          const value = a(scope);
          const result = test.text === "none" ? value === null : value !== undefined;
          return negate ? !result : result;
        };
        continue;
      }
      if (!["==", "!=", "<", ">", "<=", ">="].includes(token.text)) return left;
      this.position += 1;
      const b = this.additive();
      const op = token.text;
      left = (scope) => {
        const x = a(scope);
        const y = b(scope);
        if (op === "==") return JSON.stringify(x) === JSON.stringify(y);
        if (op === "!=") return JSON.stringify(x) !== JSON.stringify(y);
        const p = number(x, op);
        const q = number(y, op);
        return op === "<" ? p < q : op === ">" ? p > q : op === "<=" ? p <= q : p >= q;
      };
    }
  }
  private additive(): Node {
    let left = this.multiplicative();
    for (;;) {
      const op = this.peek()?.kind === "op" ? this.peek()!.text : "";
      if (op !== "+" && op !== "-" && op !== "~") return left;
      this.position += 1;
      const a = left;
      const b = this.multiplicative();
      left = (scope) => {
        const x = a(scope);
        const y = b(scope);
        if (op === "~") return pyStr(x) + pyStr(y);
        if (op === "+" && typeof x === "string" && typeof y === "string") return x + y;
        return op === "+" ? number(x, op) + number(y, op) : number(x, op) - number(y, op);
      };
    }
  }
  private multiplicative(): Node {
    let left = this.filtered();
    for (;;) {
      const op = this.peek()?.kind === "op" ? this.peek()!.text : "";
      if (!["*", "/", "//", "%"].includes(op)) return left;
      this.position += 1;
      const a = left;
      const b = this.filtered();
      left = (scope) => {
        const x = number(a(scope), op);
        const y = number(b(scope), op);
        if (op !== "*" && y === 0) throw new TemplateError("division by zero");
        return op === "*" ? x * y : op === "/" ? x / y : op === "//" ? Math.floor(x / y) : x % y;
      };
    }
  }
  private filtered(): Node {
    let node = this.postfix();
    while (this.accept("|")) {
      const name = this.tokens[this.position++];
      if (name?.kind !== "name") throw new TemplateError("expected a filter name");
      const args: Node[] = [];
      if (this.accept("(")) {
        if (!this.accept(")")) {
          do args.push(this.expression());
          while (this.accept(","));
          this.expect(")");
        }
      }
      const input = node;
      node = (scope) => applyFilter(name.text, input(scope), args.map((arg) => arg(scope)));
    }
    return node;
  }
  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.accept(".")) {
        const name = this.tokens[this.position++];
        if (name?.kind !== "name") throw new TemplateError("expected an attribute name");
        node = attribute(node, () => name.text);
      } else if (this.peek("[")) {
        this.position += 1;
        const key = this.expression();
        this.expect("]");
        node = attribute(node, (scope) => key(scope));
      } else {
        return node;
      }
    }
  }
  private primary(): Node {
    const token = this.tokens[this.position++];
    if (!token) throw new TemplateError("unexpected end of template");
    if (token.kind === "num") {
      const value = Number(token.text);
      return () => value;
    }
    if (token.kind === "str") return () => token.text;
    if (token.kind === "name") {
      if (token.text === "none" || token.text === "None") return () => null;
      if (token.text === "true" || token.text === "True") return () => true;
      if (token.text === "false" || token.text === "False") return () => false;
      return (scope) => {
        if (!(token.text in scope)) throw new TemplateError(`undefined variable ${token.text}`);
        return scope[token.text]!;
      };
    }
    if (token.text === "-") {
      const inner = this.filtered();
      return (scope) => -number(inner(scope), "unary -");
    }
    if (token.text === "(") {
      const inner = this.expression();
      this.expect(")");
      return inner;
    }
    if (token.text === "[") {
      const items: Node[] = [];
      if (!this.accept("]")) {
        do items.push(this.expression());
        while (this.accept(","));
        this.expect("]");
      }
      return (scope) => items.map((item) => item(scope));
    }
    if (token.text === "{") {
      const entries: [Node, Node][] = [];
      if (!this.accept("}")) {
        do {
          const key = this.expression();
          this.expect(":");
          entries.push([key, this.expression()]);
        } while (this.accept(","));
        this.expect("}");
      }
      return (scope) => Object.fromEntries(entries.map(([key, value]) => [String(key(scope)), value(scope)]));
    }
    throw new TemplateError(`unexpected "${token.text}"`);
  }
}

function attribute(target: Node, key: (scope: Record<string, Value>) => Value): Node {
  return (scope) => {
    const object = target(scope);
    const name = key(scope);
    if (object === null || typeof object !== "object" || Array.isArray(object)) {
      throw new TemplateError(`'${pyStr(object)}' has no attribute ${String(name)}`);
    }
    if (!(String(name) in object)) throw new TemplateError(`value_json has no attribute ${String(name)}`);
    return object[String(name)]!;
  };
}

function applyFilter(name: string, input: Value, args: Value[]): Value {
  switch (name) {
    case "round":
      return pyRound(number(input, "round"), args[0] === undefined ? 0 : number(args[0], "round"));
    case "int":
      return Math.trunc(number(input, "int"));
    case "float":
      return number(input, "float");
    case "tojson":
      return JSON.stringify(input);
    case "string":
      return pyStr(input);
    case "length":
      if (typeof input === "string" || Array.isArray(input)) return input.length;
      throw new TemplateError(`object of type ${typeof input} has no len()`);
    default:
      throw new TemplateError(`unsupported filter ${name}`);
  }
}

/** Renders `template` with `value_json` bound to `payload`, as Home Assistant would; throws on any error. */
export function renderTemplate(template: string, payload: unknown): string {
  let output = "";
  let rest = template;
  const scope = { value_json: payload as Value };
  for (;;) {
    const start = rest.indexOf("{{");
    if (rest.includes("{%")) throw new TemplateError("statements ({% %}) are outside the supported subset");
    if (start < 0) return output + rest;
    const end = rest.indexOf("}}", start);
    if (end < 0) throw new TemplateError("unclosed {{");
    // A dict literal's closing brace may sit right before "}}": "{ ... } }}" is written with a space.
    output += rest.slice(0, start) + pyStr(new Parser(tokenize(rest.slice(start + 2, end))).parseAll()(scope));
    rest = rest.slice(end + 2);
  }
}
