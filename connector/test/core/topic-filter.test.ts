import { describe, expect, it } from "vitest";
import { filterProblem, topicMatches } from "../../src/core/topic-filter.js";

describe("MQTT topic filters", () => {
  it.each([
    ["store/+/fridge/+/temp", "store/store042/fridge/f1/temp", true],
    ["store/+/fridge/+/temp", "store/store042/fridge/f1/temp/extra", false],
    ["store/+/fridge/+/temp", "store/store042/espresso/m1/shot", false],
    ["store/#", "store/store042/fridge/f1/temp", true],
    ["store/#", "store", true], // # also matches the parent level
    ["store/#", "stores/x", false],
    ["#", "anything/at/all", true],
    ["#", "$SYS/broker/uptime", false], // $-topics are not matched by a leading wildcard
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["store/+", "store/", true], // an empty level is a level
    ["store/+/temp", "store//temp", true],
    ["+", "a", true],
    ["+", "a/b", false],
    ["a/b", "a/b", true],
    ["a/b", "a/B", false], // case-sensitive
    ["/a", "/a", true], // a leading slash makes an empty first level
    ["+/a", "/a", true],
  ])("%s vs %s → %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ["store/#/temp", /# must be a whole level and the last one/],
    ["store/f#", /# must be a whole level/],
    ["store/f+/x", /\+ must be a whole level/],
    ["", /cannot be empty/],
  ])("refuses %j", (filter, message) => {
    expect(filterProblem(filter)).toMatch(message);
  });

  it("accepts valid filters", () => {
    for (const filter of ["#", "+", "a/+/b/#", "store/+/fridge/+/temp", "$share/g/a/b"]) {
      expect(filterProblem(filter)).toBeUndefined();
    }
  });
});
