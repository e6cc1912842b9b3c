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

describe.each(targets)("alerts, against a real webhook receiver, on $name", (target) => {
  let store: Store;
  let clock: TestClock;
  let webhook: TestWebhook;
  let fn: FridgeFunction;

  beforeEach(async () => {
    store = await target.open();
    clock = testClock();
    webhook = await startWebhook();
    fn = await startFridgeFunction({ store, clock, env: { ALERT_WEBHOOK_URL: webhook.url } });
  });
  afterEach(async () => {
    await fn.close();
    await webhook.close();
    await store.close();
  });

  async function publish(seconds: number, tempC: number, fridge = "f1") {
    clock.advance(seconds);
    const res = await fn.publish("store042", fridge, { temp: tempC });
    expect(res.status).toBe(200);
    return ((await res.json()) as { status: string }).status;
  }

  it("sends one alert per incident, not per reading, and none for an escalation to critical", async () => {
    const statuses = [
      await publish(0, 6),
      await publish(300, 6.5), // sustained: the incident opens
      await publish(60, 7),
      await publish(60, 9), // escalates within the same incident
      await publish(60, 9.5),
      await publish(60, 4), // recovered: the incident closes
      await publish(60, 9), // a new incident
    ];
    expect(statuses).toEqual(["ok", "warning", "warning", "critical", "critical", "recovered", "critical"]);

    expect(webhook.received.map((request) => request.body)).toEqual([
      {
        id: expect.any(String),
        incident: expect.any(String),
        kind: "temperature",
        store: "store042",
        fridge: "f1",
        status: "warning",
        tempC: 6.5,
        at: "2025-03-01T08:05:00.000Z",
        message: "Warning: Too hot!",
      },
      expect.objectContaining({ kind: "temperature", status: "critical", tempC: 9, at: "2025-03-01T08:10:00.000Z" }),
    ]);
    const [first, second] = webhook.received;
    expect(first?.headers["idempotency-key"]).toBe(first?.body.id);
    expect(second?.body.incident).not.toBe(first?.body.incident);

    const rows = await storedAlerts(store);
    expect(rows).toEqual([
      expect.objectContaining({ id: first?.body.id, status: "warning", delivery: "delivered", attempts: 1 }),
      expect.objectContaining({ id: second?.body.id, status: "critical", delivery: "delivered", attempts: 1 }),
    ]);
  });

  it("keeps incidents of different fridges apart", async () => {
    await publish(0, 9, "f1");
    await publish(0, 9, "f2");
    await publish(60, 9, "f1");
    expect(webhook.received.map((request) => request.body.fridge)).toEqual(["f1", "f2"]);
  });

  it("retries after a 500 from the webhook, with the same Idempotency-Key", async () => {
    webhook.respondWith(500);
    expect(await publish(0, 9)).toBe("critical");
    expect(webhook.received).toHaveLength(2);
    const [failed, retried] = webhook.received;
    expect(retried?.headers["idempotency-key"]).toBe(failed?.headers["idempotency-key"]);
    expect(retried?.body).toEqual(failed?.body);
    expect(await storedAlerts(store)).toEqual([
      expect.objectContaining({ delivery: "delivered", attempts: 2, last_status: 204 }),
    ]);
  });

  it("answers the reading even when the webhook keeps failing, and the next cron run delivers the alert", async () => {
    webhook.respondWith(503, 503, 503);
    expect(await publish(0, 9)).toBe("critical");
    expect(webhook.received).toHaveLength(3);
    expect(await storedAlerts(store)).toEqual([
      expect.objectContaining({ delivery: "pending", attempts: 3, last_status: 503 }),
    ]);
    expect(fn.logs.some((line) => line.includes("alert delivery failed"))).toBe(true);
    expect(fn.logs.join("\n")).not.toContain("not-logged"); // the webhook URL's token

    const cron = await fn.cron();
    expect(await cron.json()).toMatchObject({ offline: [], alertsDelivered: 1 });
    expect(webhook.received).toHaveLength(4);
    expect(webhook.received[3]?.headers["idempotency-key"]).toBe(webhook.received[0]?.headers["idempotency-key"]);
    expect(await storedAlerts(store)).toEqual([expect.objectContaining({ delivery: "delivered", attempts: 4 })]);

    expect(await (await fn.cron()).json()).toMatchObject({ alertsDelivered: 0 });
    expect(webhook.received).toHaveLength(4);
  });

  it("stops a cron run's retries at the first alert the webhook cannot take, and sends them all once it is back", async () => {
    webhook.respondWith(503, 503, 503, 503, 503, 503);
    await publish(0, 9, "f1");
    await publish(0, 9, "f2");
    expect((await storedAlerts(store)).map((row) => row.delivery)).toEqual(["pending", "pending"]);

    webhook.respondWith(503);
    expect(await (await fn.cron()).json()).toMatchObject({ alertsDelivered: 0 });
    expect(webhook.received).toHaveLength(7);
    expect(await (await fn.cron()).json()).toMatchObject({ alertsDelivered: 2 });
    expect(webhook.received.slice(7).map((request) => request.body.fridge)).toEqual(["f1", "f2"]);
  });

  it("does not retry an alert the webhook refuses for good (a 4xx)", async () => {
    webhook.respondWith(422);
    await publish(0, 9);
    expect(await storedAlerts(store)).toEqual([expect.objectContaining({ delivery: "rejected", last_status: 422 })]);
    expect(await (await fn.cron()).json()).toMatchObject({ alertsDelivered: 0 });
    expect(webhook.received).toHaveLength(1);
  });
});

describe.each(targets)("alerts without ALERT_WEBHOOK_URL, on $name", (target) => {
  it("are stored, marked as never to be sent", async () => {
    const store = await target.open();
    const fn = await startFridgeFunction({ store });
    try {
      const res = await fn.publish("store042", "f1", 9);
      expect(await res.json()).toMatchObject({ status: "critical" });
      expect(await storedAlerts(store)).toEqual([
        expect.objectContaining({ kind: "temperature", status: "critical", temp_c: 9, delivery: "no-webhook" }),
      ]);
      expect(await (await fn.cron()).json()).toMatchObject({ alertsDelivered: 0 });
    } finally {
      await fn.close();
      await store.close();
    }
  });
});
