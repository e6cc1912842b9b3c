import { describe, expect, it } from "vitest";
import { invalidFilterReason, topicMatches } from "../../src/bridge/topic-filter.js";
import { createTopicMapping } from "../../src/bridge/topic-mapping.js";

describe("topic filters", () => {
  it.each([
    ["store/+/fridge/#", "store/store042/fridge/1/temp", true],
    ["store/+/fridge/#", "store/store042/fridge", true],
    ["store/+/fridge/#", "store/store042/oven/1", false],
    ["store/+", "store/store042/x", false],
    ["store/+/", "store/store042/", true],
    ["#", "store/x", true],
    ["#", "$SYS/broker/uptime", false],
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["a/b", "a/b", true],
    ["a/b", "a/b/c", false],
  ])("%s matches %s: %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it("says why a filter is invalid", () => {
    expect(invalidFilterReason("store/#/x")).toMatch(/#/);
    expect(invalidFilterReason("store/a+")).toMatch(/\+/);
    expect(invalidFilterReason("")).toMatch(/empty/);
    expect(invalidFilterReason("store/+/cmd/#")).toBeUndefined();
  });
});

describe("topic mapping", () => {
  it("swaps the local root for the central one, both ways", () => {
    const mapping = createTopicMapping({
      prefix: "stores/{storeId}/",
      localPrefix: "store/{storeId}/",
      storeId: "store042",
    });
    expect(mapping.toCentral("store/store042/fridge-1/temp")).toBe("stores/store042/fridge-1/temp");
    expect(mapping.toLocal("stores/store042/cmd/fridge-1/setpoint")).toBe("store/store042/cmd/fridge-1/setpoint");
    // Outside the local root: still under the store's central prefix.
    expect(mapping.toCentral("alerts/door")).toBe("stores/store042/alerts/door");
  });

  it("with a prefix only, puts it in front going out and takes it off coming in", () => {
    const mapping = createTopicMapping({ prefix: "stores/{storeId}/", storeId: "store042" });
    expect(mapping.toCentral("store/store042/fridge-1/temp")).toBe("stores/store042/store/store042/fridge-1/temp");
    expect(mapping.toLocal("stores/store042/store/store042/cmd/x")).toBe("store/store042/cmd/x");
    expect(mapping.toLocal("elsewhere/cmd/x")).toBe("elsewhere/cmd/x");
  });

  it("without a prefix, keeps topics as they are", () => {
    const mapping = createTopicMapping({ storeId: "store042" });
    expect(mapping.toCentral("store/store042/t")).toBe("store/store042/t");
    expect(mapping.toLocal("store/store042/cmd/x")).toBe("store/store042/cmd/x");
  });

  it("refuses a store id or prefix that would make a wildcard or an extra level", () => {
    expect(() => createTopicMapping({ prefix: "stores/{storeId}/", storeId: "a/b" })).toThrow(/storeId/);
    expect(() => createTopicMapping({ prefix: "stores/{storeId}/", storeId: "+" })).toThrow(/storeId/);
    expect(() => createTopicMapping({ prefix: "stores/#/", storeId: "s" })).toThrow(/prefix/);
  });
});
