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

describe.each(targets)("the cron run's silent-sensor report, on $name", (target) => {
  let store: Store;
  let clock: TestClock;
  let webhook: TestWebhook;
  let fn: FridgeFunction;

  beforeEach(async () => {
    store = await target.open();
    clock = testClock();
    webhook = await startWebhook();
    fn = await startFridgeFunction({
      store,
      clock,
      env: { ALERT_WEBHOOK_URL: webhook.url, STALE_AFTER_SECONDS: "900" },
    });
  });
  afterEach(async () => {
    await fn.close();
    await webhook.close();
    await store.close();
  });

  async function cron() {
    const res = await fn.cron();
    expect(res.status).toBe(200);
    return res.json();
  }

  it("reports a fridge silent for more than STALE_AFTER_SECONDS once per incident, with one alert", async () => {
    const lastSeen = clock.at();
    await fn.publish("store042", "f1", 3);
    await fn.publish("store042", "f2", 3);
    clock.advance(600);
    await fn.publish("store042", "f2", 3.5);

    clock.advance(300); // f1 silent for exactly 900 s: not yet
    expect(await cron()).toEqual({ checkedAt: clock.at(), offline: [], alertsDelivered: 0 });

    clock.advance(1);
    expect(await cron()).toEqual({
      checkedAt: clock.at(),
      offline: [{ store: "store042", fridge: "f1", lastSeen }],
      alertsDelivered: 1,
    });
    expect(webhook.received.map((request) => request.body)).toEqual([
      {
        id: expect.any(String),
        incident: expect.any(String),
        kind: "sensor-offline",
        store: "store042",
        fridge: "f1",
        status: "sensor-offline",
        tempC: 3,
        at: clock.at(),
        lastSeen,
        message: `Sensor offline: no reading from fridge f1 since ${lastSeen}.`,
      },
    ]);
    expect(webhook.received[0]?.headers["idempotency-key"]).toBe(webhook.received[0]?.body.id);

    clock.advance(300); // still silent: the same incident, no second report
    expect(await cron()).toMatchObject({ offline: [], alertsDelivered: 0 });
    expect(webhook.received).toHaveLength(1);
  });

  it("shows an offline fridge as sensor-offline in GET until a reading closes the incident; the next silence is a new one", async () => {
    await fn.publish("store042", "f1", 3);
    clock.advance(1000);
    const detectedAt = clock.at();
    await cron();
    const offline = await (await fn.status("store042")).json();
    expect(offline).toEqual({
      store: "store042",
      fridges: [{ fridge: "f1", tempC: 3, status: "sensor-offline", since: detectedAt }],
    });

    clock.advance(60);
    const back = await fn.publish("store042", "f1", 3.2);
    expect(await back.json()).toMatchObject({ status: "ok", tempC: 3.2 });
    expect(await (await fn.status("store042")).json()).toMatchObject({ fridges: [{ fridge: "f1", status: "ok" }] });

    clock.advance(1000);
    expect(await cron()).toMatchObject({ offline: [{ fridge: "f1" }], alertsDelivered: 1 });
    const incidents = webhook.received.map((request) => request.body.incident);
    expect(incidents).toHaveLength(2);
    expect(incidents[0]).not.toBe(incidents[1]);
    expect((await storedAlerts(store)).map((row) => row.kind)).toEqual(["sensor-offline", "sensor-offline"]);
  });

  it("stores the offline alert when the webhook is down and delivers it on a later run", async () => {
    await fn.publish("store042", "f1", 3);
    clock.advance(1000);
    webhook.respondWith(500); // a cron run gives each alert one attempt: the schedule is its retry loop
    expect(await cron()).toMatchObject({ offline: [{ fridge: "f1" }], alertsDelivered: 0 });
    expect(webhook.received).toHaveLength(1);
    expect(await storedAlerts(store)).toEqual([
      expect.objectContaining({ kind: "sensor-offline", delivery: "pending" }),
    ]);
    clock.advance(300);
    expect(await cron()).toMatchObject({ offline: [], alertsDelivered: 1 });
    expect(await storedAlerts(store)).toEqual([expect.objectContaining({ delivery: "delivered", attempts: 2 })]);
  });
});
