import type { Store } from "@coffee-edge/node18-typescript/store";
import { badJsonBodies } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptsReadingBody } from "./reading-schema.js";
import { type FridgeFunction, sqliteTarget, startFridgeFunction, testClock } from "./test-support.js";

const sqlite = sqliteTarget();
const clock = testClock();
const valid = { temp: 4.2, unit: "C", ts: clock.at(-60), store: "store042", fridge: "fridge-1" };
const CONCURRENCY = 16;

describe("hostile and broken reading bodies", () => {
  let store: Store;
  let fn: FridgeFunction;
  beforeAll(async () => {
    store = await sqlite.open();
    fn = await startFridgeFunction({ store, clock });
  });
  afterAll(async () => {
    await fn?.close();
    await store?.close();
  });

  it("answers each of at least 500 with a 4xx problem, never a 5xx, and keeps serving", async () => {
    const bodies = badJsonBodies(valid, { count: 500, accepts: acceptsReadingBody });
    expect(bodies.length).toBeGreaterThanOrEqual(500);

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const bad = bodies[i];
        if (!bad) continue;
        const res = await fetch(fn.server.url, {
          method: "POST",
          headers: { "content-type": bad.contentType },
          body: bad.body,
          signal: AbortSignal.timeout(10_000),
        });
        const type = res.headers.get("content-type");
        await res.arrayBuffer();
        if (res.status < 400 || res.status >= 500 || type !== "application/problem+json") {
          failures.push(`${bad.label}: ${res.status} ${type}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(failures).toEqual([]);

    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const res = await fn.post(JSON.stringify(valid));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      store: "store042",
      fridge: "fridge-1",
      tempC: 4.2,
      status: "ok",
      message: "Temperature OK",
    });
    // Nothing of the refused bodies was stored.
    expect(await store.all("SELECT store_id FROM fridge_states")).toEqual([{ store_id: "store042" }]);
  });
});
