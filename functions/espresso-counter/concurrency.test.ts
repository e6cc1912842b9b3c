import { mapConcurrently } from "@coffee-edge/node18-typescript/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DailyReport } from "./daily-report.js";
import type { NightlyReport } from "./nightly-run.js";
import type { ShotAnswer } from "./record-shot.js";
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

const TOPIC = "store/store042/espresso/gaggia-1/shot";
const kinds = await databaseKinds();

describe.each(kinds)("concurrent shots on $kind", ({ kind }) => {
  let database: TestDatabase;
  let alerts: Receiver;
  let app: Espresso;
  const clock: TestClock = { now: new Date("2024-06-01T09:00:00Z") };

  beforeEach(async () => {
    database = await freshDatabase(kind);
    alerts = await startReceiver();
    app = await startEspresso({ database, clock, env: { DAILY_THRESHOLD: "40", ALERT_WEBHOOK_URL: alerts.url } });
  });
  afterEach(async () => {
    await app?.close();
    await alerts?.close();
    await database?.drop();
  });

  it("counts every distinct event exactly once, each redelivery never, and alerts once", async () => {
    // 60 events, each delivered twice (an MQTT QoS 1 redelivery), 32 requests in flight at a time:
    // evt-0, evt-59, evt-1, evt-58, … so first deliveries and redeliveries overlap.
    const ids = Array.from({ length: 60 }, (_, index) => `evt-${index}`);
    const deliveries = ids.flatMap((id, index) => [id, ids[ids.length - 1 - index] as string]);
    const answers = await mapConcurrently(deliveries, 32, async (id) => {
      const res = await app.shot(TOPIC, { id, shots: 1 });
      return {
        status: res.status,
        duplicate: res.headers.get("x-espresso-duplicate") === "true",
        body: (await res.json()) as ShotAnswer,
      };
    });

    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => !answer.duplicate)).toHaveLength(60);
    // Each counted event saw a different count: the increments did not overwrite one another.
    const counted = answers.filter((answer) => !answer.duplicate).map((answer) => answer.body.count);
    expect(new Set(counted).size).toBe(60);
    expect(Math.max(...counted)).toBe(60);

    const report = (await (await app.get("?store=store042")).json()) as DailyReport;
    expect(report.machines).toEqual([{ machine: "gaggia-1", count: 60, threshold: 40, status: "threshold-reached" }]);
    expect(alerts.received).toHaveLength(1);
    expect(alerts.received[0]?.body).toMatchObject({ count: 40, threshold: 40 });
  });

  it("sends a rollup once when two cron runs overlap", async () => {
    await app.close();
    const sink = await startReceiver();
    try {
      app = await startEspresso({ database, clock, env: { USAGE_SINK_URL: sink.url } });
      await app.shot(TOPIC, 3);
      clock.now = new Date("2024-06-02T00:05:00Z");
      const runs = await Promise.all([app.cron(), app.cron(), app.cron()]);
      expect(runs.map((run) => run.status)).toEqual([200, 200, 200]);
      const reports = (await Promise.all(runs.map((run) => run.json()))) as NightlyReport[];
      const delivered = reports.flatMap((report) => report.delivered);
      expect(delivered).toEqual(["2024-06-01"]);
      expect(sink.received).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });
});
