import type { Store } from "@coffee-edge/node18-typescript/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  databaseTargets,
  type FridgeFunction,
  startFridgeFunction,
  startWebhook,
  storedAlerts,
  type TestClock,
  type TestWebhook,
  testClock,
} from "./test-support.js";

const targets = await databaseTargets();

/** Readings sent at once through two replicas: each its own server and its own store (pool) on one database. */
describe.each(targets)("two replicas under concurrent readings, on $name", (target) => {
  let stores: Store[];
  let replicas: FridgeFunction[];
  let webhook: TestWebhook;
  let clock: TestClock;

  beforeEach(async () => {
    clock = testClock();
    webhook = await startWebhook();
    const first = await target.open();
    stores = [first, await target.openAnother()];
    const env = { ALERT_WEBHOOK_URL: webhook.url };
    replicas = await Promise.all(stores.map((store) => startFridgeFunction({ store, clock, env })));
  });
  afterEach(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await webhook.close();
    for (const store of stores) await store.close();
  });

  it("open exactly one incident, and send one alert, for a burst of critical readings of one fridge", async () => {
    const count = 40;
    // The fridge is known and ok: every reading of the burst would open an incident if it saw that state.
    await (replicas[0] as FridgeFunction).publish("store042", "f1", { temp: 3, ts: clock.at(-count) });
    const answers = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const replica = replicas[i % 2] as FridgeFunction;
        const res = await replica.publish("store042", "f1", { temp: 9 + (i % 5) / 10, ts: clock.at(-i) });
        expect(res.status).toBe(200);
        return (await res.json()) as { status: string };
      }),
    );
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set(["critical"]));

    const alerts = await storedAlerts(stores[0] as Store);
    expect(alerts).toEqual([
      expect.objectContaining({ kind: "temperature", status: "critical", delivery: "delivered" }),
    ]);
    expect(webhook.received).toHaveLength(1);
    const readings = await (stores[0] as Store).get<{ n: number }>("SELECT COUNT(*) AS n FROM fridge_readings");
    expect(readings?.n).toBe(count + 1);
    const state = await (stores[0] as Store).get<{ last_reading_at: string }>(
      "SELECT last_reading_at FROM fridge_states WHERE store_id = 'store042' AND fridge_id = 'f1'",
    );
    expect(state?.last_reading_at).toBe(clock.at());
  });

  it("report a silent fridge once when cron runs overlap", async () => {
    await (replicas[0] as FridgeFunction).publish("store042", "f1", 3);
    await (replicas[0] as FridgeFunction).publish("store042", "f2", 3);
    clock.advance(1000);
    const reports = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const res = await (replicas[i % 2] as FridgeFunction).cron();
        expect(res.status).toBe(200);
        return (await res.json()) as { offline: Array<{ fridge: string }> };
      }),
    );
    const reported = reports.flatMap((report) => report.offline.map((entry) => entry.fridge)).sort();
    expect(reported).toEqual(["f1", "f2"]);
    expect((await storedAlerts(stores[0] as Store)).map((row) => row.fridge_id).sort()).toEqual(["f1", "f2"]);
  });
});
