import type { Store } from "@coffee-edge/node18-typescript/store";
import { afterEach, describe, expect, it } from "vitest";
import { type FridgeFunction, sqliteTarget, startFridgeFunction } from "./test-support.js";

const sqlite = sqliteTarget();

describe("a store that cannot be opened", () => {
  let store: Store | undefined;
  let fn: FridgeFunction | undefined;
  afterEach(async () => {
    await fn?.close();
    await store?.close();
  });

  it("answers 503 with Retry-After, and the next request opens it again", async () => {
    const opened = await sqlite.open();
    store = opened;
    let calls = 0;
    fn = await startFridgeFunction({
      store: opened,
      deps: {
        openStore: async () => {
          calls++;
          if (calls === 1) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
          return opened;
        },
      },
    });

    const down = await fn.publish("store042", "f1", 3);
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(down.headers.get("content-type")).toBe("application/problem+json");
    expect(await down.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/store-unavailable" });

    const up = await fn.publish("store042", "f1", 3);
    expect(up.status).toBe(200);
    await fn.publish("store042", "f2", 3);
    expect(calls).toBe(2); // opened once it worked, then kept
  });
});
