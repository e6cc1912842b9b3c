import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NightlyReport } from "./nightly-run.js";
import {
  databaseKinds,
  type Espresso,
  freshDatabase,
  type Receiver,
  startEspresso,
  startReceiver,
  type TestClock,
  type TestDatabase,
} from "./test-helpers.js";

const kinds = await databaseKinds();

/** 00:05 in New York (UTC-5 in January) on the given day. */
const fiveAfterMidnight = (day: string) => new Date(`${day}T05:05:00Z`);

describe.each(kinds)("the nightly rollup on $kind", ({ kind }) => {
  let database: TestDatabase;
  let sink: Receiver;
  let app: Espresso;
  const clock: TestClock = { now: new Date() };

  const start = async (env: Record<string, string> = {}) => {
    app = await startEspresso({ database, clock, env: { STORE_TIMEZONE: "America/New_York", ...env } });
  };
  /** Shots of 15 January, New York time: 23:30 local is 04:30Z the next UTC day. */
  const pullShotsOnThe15th = async () => {
    clock.now = new Date("2024-01-16T04:30:00Z");
    await app.shot("store/store042/espresso/m2/shot", { id: "a", shots: 2 });
    await app.shot("store/store042/espresso/m1/shot", { id: "b", shots: 1 });
    await app.shot("store/store042/espresso/m1/shot", { id: "b", shots: 1 }); // a redelivery
    await app.shot("store/store001/espresso/m1/shot", 3);
    // 00:30 local on the 16th: another day, not in the 15th's rollup.
    await app.shot("store/store042/espresso/m1/shot", { id: "c", shots: 5, ts: "2024-01-16T05:30:00Z" });
  };

  beforeEach(async () => {
    database = await freshDatabase(kind);
    sink = await startReceiver();
  });
  afterEach(async () => {
    await app?.close();
    await sink?.close();
    await database?.drop();
  });

  it("POSTs yesterday's usage per store and machine once, with Idempotency-Key usage-<date>", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    await pullShotsOnThe15th();

    clock.now = fiveAfterMidnight("2024-01-16");
    const run = await app.cron();
    expect(run.status).toBe(200);
    const expectedRollup = {
      date: "2024-01-15",
      stores: [
        { store: "store001", machines: [{ machine: "m1", count: 3 }] },
        {
          store: "store042",
          machines: [
            { machine: "m1", count: 1 },
            { machine: "m2", count: 2 },
          ],
        },
      ],
    };
    expect(await run.json()).toEqual({
      date: "2024-01-15",
      delivered: ["2024-01-15"],
      alreadyDelivered: [],
      failed: [],
      pending: [],
      rollup: expectedRollup,
      alerts: { delivered: 0, undelivered: 0 },
    });
    expect(sink.received).toHaveLength(1);
    expect(sink.received[0]?.headers["idempotency-key"]).toBe("usage-2024-01-15");
    expect(sink.received[0]?.headers["content-type"]).toBe("application/json");
    expect(sink.received[0]?.body).toEqual(expectedRollup);

    // The connector fires twice, or the run is retried: nothing is sent again.
    const second = await app.cron();
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ delivered: [], alreadyDelivered: ["2024-01-15"], failed: [] });
    expect(sink.received).toHaveLength(1);
  });

  it("still knows what was delivered after a restart", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    await pullShotsOnThe15th();
    clock.now = fiveAfterMidnight("2024-01-16");
    await app.cron();
    await app.close();

    await start({ USAGE_SINK_URL: sink.url });
    expect(await (await app.cron()).json()).toMatchObject({ delivered: [], alreadyDelivered: ["2024-01-15"] });
    expect(sink.received).toHaveLength(1);
  });

  it("answers 502 when the sink fails after retries, and the next run delivers that day first", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    await pullShotsOnThe15th();
    sink.answerNext(503, 500, 502);

    clock.now = fiveAfterMidnight("2024-01-16");
    const failed = await app.cron();
    expect(failed.status).toBe(502);
    expect(failed.headers.get("content-type")).toBe("application/problem+json");
    const problem = await failed.json();
    expect(problem).toMatchObject({
      type: "https://coffee-edge.dev/problems/usage-sink-unavailable",
      status: 502,
      date: "2024-01-15",
      delivered: [],
      failed: ["2024-01-15"],
    });
    expect(JSON.stringify(problem)).not.toContain(sink.url);
    expect(sink.received).toHaveLength(3); // three attempts, the same key each time
    expect(new Set(sink.received.map((post) => post.headers["idempotency-key"]))).toEqual(
      new Set(["usage-2024-01-15"]),
    );

    // The next night: the 15th is still due and goes first, then the 16th.
    clock.now = fiveAfterMidnight("2024-01-17");
    const next = await app.cron();
    expect(next.status).toBe(200);
    expect(await next.json()).toMatchObject({
      date: "2024-01-16",
      delivered: ["2024-01-15", "2024-01-16"],
      failed: [],
    });
    expect(sink.received.slice(3).map((post) => post.body)).toEqual([
      expect.objectContaining({ date: "2024-01-15" }),
      { date: "2024-01-16", stores: [{ store: "store042", machines: [{ machine: "m1", count: 5 }] }] },
    ]);

    await app.cron();
    expect(sink.received).toHaveLength(5);
  });

  it("retries a failed attempt within the run and succeeds", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    await pullShotsOnThe15th();
    sink.answerNext(503);
    clock.now = fiveAfterMidnight("2024-01-16");
    const run = await app.cron();
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ delivered: ["2024-01-15"] });
    expect(sink.received).toHaveLength(2);
  });

  it("does not retry an answer that will not change (a 400 from the sink), and keeps the day due", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    sink.answerNext(400);
    clock.now = fiveAfterMidnight("2024-01-16");
    expect((await app.cron()).status).toBe(502);
    expect(sink.received).toHaveLength(1);
    expect(await (await app.cron()).json()).toMatchObject({ delivered: ["2024-01-15"] });
  });

  it("sends a day without shots as an empty rollup", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    clock.now = fiveAfterMidnight("2024-01-16");
    expect(await (await app.cron()).json()).toMatchObject({ delivered: ["2024-01-15"] });
    expect(sink.received[0]?.body).toEqual({ date: "2024-01-15", stores: [] });
  });

  it("catches up a night the function missed", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    await pullShotsOnThe15th();
    // No run on the night of the 16th; the night of the 17th sends the 15th and the 16th.
    clock.now = fiveAfterMidnight("2024-01-17");
    expect(await (await app.cron()).json()).toMatchObject({
      date: "2024-01-16",
      delivered: ["2024-01-15", "2024-01-16"],
    });
    expect(sink.received.map((post) => post.headers["idempotency-key"])).toEqual([
      "usage-2024-01-15",
      "usage-2024-01-16",
    ]);
  });

  it("computes and answers the rollup without sending it when USAGE_SINK_URL is unset", async () => {
    await start();
    await pullShotsOnThe15th();
    clock.now = fiveAfterMidnight("2024-01-16");
    const run = await app.cron();
    expect(run.status).toBe(200);
    const report = (await run.json()) as NightlyReport;
    expect(report).toMatchObject({ date: "2024-01-15", delivered: [], alreadyDelivered: [], failed: [], pending: [] });
    expect(report.rollup.stores).toHaveLength(2);
    expect(sink.received).toHaveLength(0);
  });

  it("rolls up the local yesterday: at 20:05 in New York (01:05Z) it is still the 15th locally", async () => {
    await start({ USAGE_SINK_URL: sink.url });
    await pullShotsOnThe15th();
    clock.now = new Date("2024-01-16T01:05:00Z");
    expect(await (await app.cron()).json()).toMatchObject({ date: "2024-01-14", delivered: ["2024-01-14"] });
  });
});
