import type { Store } from "@coffee-edge/node18-typescript/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  databaseTargets,
  type FridgeFunction,
  startFridgeFunction,
  type TestClock,
  testClock,
} from "./test-support.js";

const targets = await databaseTargets();

describe.each(targets)("readings over HTTP, on $name", (target) => {
  let store: Store;
  let clock: TestClock;
  let fn: FridgeFunction;

  beforeEach(async () => {
    store = await target.open();
    clock = testClock();
    fn = await startFridgeFunction({ store, clock });
  });
  afterEach(async () => {
    await fn.close();
    await store.close();
  });

  /** Publishes `tempC` for fridge f1 of store042 `seconds` after the previous reading. */
  async function readingAfter(seconds: number, body: unknown) {
    clock.advance(seconds);
    const res = await fn.publish("store042", "f1", body);
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  }

  it("answers the status of each reading: ok, a sustained breach as warning, recovered below the hysteresis", async () => {
    expect(await readingAfter(0, { temp: 4 })).toEqual({
      store: "store042",
      fridge: "f1",
      tempC: 4,
      status: "ok",
      message: "Temperature OK",
    });
    expect(await readingAfter(60, { temp: 6 })).toMatchObject({ status: "ok", message: "Temperature OK" });
    expect(await readingAfter(240, { temp: 6.2 })).toMatchObject({ status: "ok" });
    expect(await readingAfter(60, { temp: 6.1 })).toMatchObject({ status: "warning", message: "Warning: Too hot!" });
    expect(await readingAfter(60, { temp: 4.6 })).toMatchObject({ status: "warning", tempC: 4.6 });
    expect(await readingAfter(60, { temp: 4.4 })).toMatchObject({ status: "recovered", message: "Temperature OK" });
    expect(await readingAfter(60, { temp: 4.4 })).toMatchObject({ status: "ok" });
  });

  it("answers critical at once", async () => {
    expect(await readingAfter(0, 8.5)).toMatchObject({ tempC: 8.5, status: "critical", message: "Warning: Too hot!" });
  });

  it("converts °F to °C, rounded to 0.1, and uses the payload's timestamp for the sustain rule", async () => {
    expect(await readingAfter(0, { temp: 97.4, unit: "F" })).toMatchObject({ tempC: 36.3, status: "critical" });
    // Five minutes apart by their timestamps, though they arrive at the same moment: a sustained breach.
    const other = await fn.publish("store042", "f2", { temp: 42.8, unit: "F", ts: clock.at(-600) });
    expect(await other.json()).toMatchObject({ fridge: "f2", tempC: 6, status: "ok" });
    const sustained = await fn.publish("store042", "f2", { temp: 42.8, unit: "F", ts: clock.at(-300) });
    expect(await sustained.json()).toMatchObject({ fridge: "f2", status: "warning" });
  });

  it("reads a text/plain number, and the fridge from the body when no topic came with it", async () => {
    const text = await fn.post("5.5", { "content-type": "text/plain", "x-topic": "store/store042/fridge/f3/temp" });
    expect(await text.json()).toMatchObject({ store: "store042", fridge: "f3", tempC: 5.5, status: "ok" });
    const plain = await fn.post(JSON.stringify({ temp: 2, store: "store7", fridge: "walk-in" }));
    expect(await plain.json()).toMatchObject({ store: "store7", fridge: "walk-in", tempC: 2, status: "ok" });
  });

  it("refuses a body that names another fridge than the topic, and a reading with no fridge at all", async () => {
    const conflicting = await fn.publish("store042", "f1", { temp: 3, fridge: "f9" });
    expect(conflicting.status).toBe(400);
    expect(conflicting.headers.get("content-type")).toBe("application/problem+json");
    expect(await conflicting.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/conflicting-fridge-id" });
    const anonymous = await fn.post(JSON.stringify({ temp: 3 }));
    expect(await anonymous.json()).toMatchObject({
      status: 400,
      type: "https://coffee-edge.dev/problems/fridge-not-identified",
    });
  });

  it("lets an older reading (out of order, or redelivered) change nothing and answers the current state", async () => {
    await readingAfter(0, { temp: 9 });
    const late = await readingAfter(0, { temp: 3, ts: clock.at(-30) });
    expect(late).toMatchObject({ tempC: 9, status: "critical" });
    expect(await readingAfter(0, { temp: 2, ts: clock.at() })).toMatchObject({ tempC: 9, status: "critical" });
    expect(await readingAfter(1, { temp: 3 })).toMatchObject({ tempC: 3, status: "recovered" });
    // Every reading is kept for the dashboard, each (fridge, time) once.
    const rows = await store.all<{ temp_c: number }>("SELECT temp_c FROM fridge_readings ORDER BY at");
    expect(rows.map((row) => row.temp_c)).toEqual([3, 9, 3]);
  });

  it("answers GET ?store= with every fridge of the store, its temperature, status and since when", async () => {
    const start = clock.at();
    await readingAfter(0, { temp: 3 });
    await readingAfter(60, { temp: 3.5 });
    clock.advance(60);
    await fn.publish("store042", "f0", 9);
    await fn.publish("store043", "f1", 2);

    const res = await fn.status("store042");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      store: "store042",
      fridges: [
        { fridge: "f0", tempC: 9, status: "critical", since: clock.at() },
        { fridge: "f1", tempC: 3.5, status: "ok", since: start },
      ],
    });
    expect(await (await fn.status("store999")).json()).toEqual({ store: "store999", fridges: [] });
  });

  it("refuses GET without a usable store, other paths and other methods", async () => {
    for (const query of ["", "?store=", "?store=a/b", `?store=${"s".repeat(65)}`]) {
      const res = await fetch(`${fn.server.url}/${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/invalid-query" });
    }
    expect((await fetch(`${fn.server.url}/fridges`)).status).toBe(404);
    const put = await fetch(fn.server.url, { method: "PUT", body: "4" });
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, HEAD, POST");
  });
});
