import { describe, expect, it } from "vitest";
import { topicMatches } from "../../src/mqtt/topic.js";

describe("topicMatches", () => {
  it.each([
    ["a/#", "a/b/c", true],
    ["a/#", "a", true],
    ["a/+/c", "a/b/c", true],
    ["a/+/c", "a/b/d", false],
    ["a/+", "a/b/c", false],
    ["a/b", "a/b", true],
    ["a/b", "a/bc", false],
    ["#", "$SYS/x", false],
    ["+/x", "$SYS/x", false],
    ["$SYS/#", "$SYS/x", true],
    ["a/b/c", "a/b", false],
  ])("%s matches %s: %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
