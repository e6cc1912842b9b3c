import { describe, expect, it } from "vitest";
import type { ListedFunction } from "../../src/core/function-list.js";
import { TopicMap } from "../../src/core/topic-map.js";

const fns: ListedFunction[] = [
  {
    fn: "fridge-temperature.openfaas-fn",
    annotations: { topic: "store/+/fridge/+/temp, cron-function", schedule: "*/5 * * * *" },
  },
  {
    fn: "espresso-counter.openfaas-fn",
    annotations: { topic: "store/+/espresso/+/shot,cron-function", schedule: "5 0 * * *" },
  },
  { fn: "audit.openfaas-fn", annotations: { topic: "store/#, ,store/+/fridge/+/temp" } },
  { fn: "inventory-check.openfaas-fn", annotations: { topic: "cron-function", schedule: "0 6 * * *" } },
  { fn: "broken.openfaas-fn", annotations: { topic: "store/#/x" } },
  { fn: "payment.openfaas-fn", annotations: {} },
];

describe("the topic map", () => {
  const map = TopicMap.build(fns, ["legacy/exact"]);

  it("subscribes to the union of the functions' filters (cron-function and invalid ones excluded) and the static ones", () => {
    expect(map.filters()).toEqual(["legacy/exact", "store/#", "store/+/espresso/+/shot", "store/+/fridge/+/temp"]);
    expect(map.problems).toEqual(['broken.openfaas-fn: topic "store/#/x": # must be a whole level and the last one']);
  });

  it("sends a message to every function whose filter matches it, each once", () => {
    expect(map.match("store/store042/fridge/f1/temp").sort()).toEqual([
      "audit.openfaas-fn",
      "fridge-temperature.openfaas-fn",
    ]);
    expect(map.match("store/store042/espresso/m1/shot").sort()).toEqual([
      "audit.openfaas-fn",
      "espresso-counter.openfaas-fn",
    ]);
    expect(map.match("legacy/exact")).toEqual([]); // a static filter brings messages no function asked for
    expect(map.match("elsewhere/x")).toEqual([]);
  });

  it("lists the cron functions with their schedules", () => {
    expect(map.cronEntries()).toEqual([
      { fn: "fridge-temperature.openfaas-fn", schedule: "*/5 * * * *" },
      { fn: "espresso-counter.openfaas-fn", schedule: "5 0 * * *" },
      { fn: "inventory-check.openfaas-fn", schedule: "0 6 * * *" },
    ]);
  });

  it("keeps each function's annotations (for response-topic)", () => {
    expect(map.annotationsOf("audit.openfaas-fn").topic).toContain("store/#");
    expect(map.annotationsOf("nope")).toEqual({});
  });
});
