import { describe, expect, it } from "vitest";
import { Controller } from "../../src/core/controller.js";
import type { ListedFunction } from "../../src/core/function-list.js";
import type { TopicMap } from "../../src/core/topic-map.js";

function quietLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { info: () => {}, warn: (msg: string) => warnings.push(msg) } };
}

describe("the controller", () => {
  it("keeps the last good map when a refresh fails, and logs the failure once", async () => {
    let answer: ListedFunction[] | Error = [{ fn: "a", annotations: { topic: "x/+" } }];
    const maps: TopicMap[] = [];
    const { warnings, logger } = quietLogger();
    const controller = new Controller({
      gatewayUrl: "http://127.0.0.1:1",
      timeoutMs: 100,
      userAgent: "test",
      rebuildIntervalMs: 60_000,
      logger,
      onMap: (map) => {
        maps.push(map);
      },
      list: async () => {
        if (answer instanceof Error) throw answer;
        return answer;
      },
    });
    expect(controller.ready).toBe(false);
    await controller.refresh();
    expect(controller.ready).toBe(true);
    expect(controller.topicMap.filters()).toEqual(["x/+"]);

    answer = new Error("GET http://gw/system/functions answered 502");
    await controller.refresh();
    await controller.refresh();
    expect(controller.topicMap.filters()).toEqual(["x/+"]);
    expect(maps).toHaveLength(1);
    expect(warnings.filter((w) => w.includes("keeping the last one"))).toHaveLength(1);

    answer = [{ fn: "b", annotations: { topic: "y/#" } }];
    await controller.refresh();
    expect(controller.topicMap.filters()).toEqual(["y/#"]);
    expect(maps).toHaveLength(2);
    controller.stop();
  });

  it("is not ready while the first list cannot be read", async () => {
    const { logger } = quietLogger();
    const controller = new Controller({
      gatewayUrl: "http://127.0.0.1:1",
      timeoutMs: 100,
      userAgent: "test",
      rebuildIntervalMs: 60_000,
      logger,
      onMap: () => {},
      list: async () => {
        throw new Error("connect ECONNREFUSED");
      },
    });
    await controller.refresh();
    expect(controller.ready).toBe(false);
  });
});
