import { describe, expect, it } from "vitest";
import { renderTemplate } from "./jinja.js";

describe("the test renderer follows Jinja's semantics", () => {
  it("renders arithmetic, filters and conditionals like Home Assistant", () => {
    expect(renderTemplate("{{ (value_json.a / 1000) | round(1) if value_json.a is not none else none }}", { a: 1536 })).toBe("1.5");
    expect(renderTemplate("{{ (value_json.a / 1000) | round(1) if value_json.a is not none else none }}", { a: null })).toBe("None");
    expect(renderTemplate("{{ 'ON' if value_json.b else 'OFF' }}", { b: false })).toBe("OFF");
    expect(renderTemplate("{{ value_json.s }}", { s: null })).toBe("None");
    expect(renderTemplate("{{ { 'x': value_json.l } | tojson }}", { l: ["a"] })).toBe('{"x":["a"]}');
  });
  it("fails where Jinja fails", () => {
    expect(() => renderTemplate("{{ value_json.a / 2 }}", { a: null })).toThrow(/unsupported operand/);
    expect(() => renderTemplate("{{ value_json.o.status }}", { o: null })).toThrow(/has no attribute/);
    expect(() => renderTemplate("{{ value_json.missing }}", {})).toThrow(/no attribute missing/);
    expect(() => renderTemplate("{% if x %}{% endif %}", {})).toThrow(/outside the supported subset/);
  });
  it("binds filters tighter than arithmetic", () => {
    expect(renderTemplate("{{ 10 / 4 | round }}", {})).toBe("2.5");
  });
});
