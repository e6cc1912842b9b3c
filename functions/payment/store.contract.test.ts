import type { Store } from "@coffee-edge/node18-typescript/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPaymentStore } from "./deps.js";
import { claimKey, completeKey, findKey, releaseKey } from "./idempotency-records.js";
import {
  abandonRefund,
  beginRefund,
  completeRefund,
  findPayment,
  insertPayment,
  type NewPayment,
} from "./payment-records.js";
import { databaseTargets, uniqueOrderId } from "./test-support.js";

const targets = await databaseTargets();

const AT = "2025-03-01T08:30:00.000Z";

function newPayment(paymentId: string): NewPayment {
  return {
    paymentId,
    orderId: uniqueOrderId(),
    store: "store042",
    amount: { value: 450, currency: "EUR" },
    method: "card",
    reference: "sim_0123",
    idempotencyKey: `key-${paymentId}`,
    createdAt: AT,
  };
}

describe.each(targets)("the payment store contract on $name", (target) => {
  let store: Store;
  beforeAll(async () => {
    store = await openPaymentStore({ DATABASE_URL: target.url });
  });
  afterAll(async () => {
    await store?.close();
    await target.drop();
  });

  it("applies its migrations once: opening the store again changes nothing", async () => {
    const again = await openPaymentStore({ DATABASE_URL: target.url });
    try {
      const rows = await again.all<{ id: string }>("SELECT id FROM schema_migrations WHERE id LIKE 'payment/%'");
      expect(rows.map((row) => row.id)).toEqual(["payment/001-payments"]);
    } finally {
      await again.close();
    }
  });

  it("lets exactly one of many concurrent claims of a key win", async () => {
    const key = `claim-${uniqueOrderId()}`;
    const wins = await Promise.all(Array.from({ length: 12 }, () => claimKey(store, key, "fp", AT)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await findKey(store, key)).toEqual({ state: "in-flight", fingerprint: "fp" });
  });

  it("records a final answer and reads it back as it was", async () => {
    const key = `done-${uniqueOrderId()}`;
    expect(await claimKey(store, key, "fp", AT)).toBe(true);
    const answer = { status: 201, headers: { location: "/x", "x-order-id": "o" }, body: { a: [1, "b"], c: null } };
    await completeKey(store, key, answer, AT);
    expect(await findKey(store, key)).toEqual({ state: "done", fingerprint: "fp", answer });
    // A finished key cannot be given up: its answer is final.
    await releaseKey(store, key);
    expect((await findKey(store, key))?.state).toBe("done");
    expect(await claimKey(store, key, "other", AT)).toBe(false);
  });

  it("gives an in-flight key up, so it can be claimed again", async () => {
    const key = `released-${uniqueOrderId()}`;
    expect(await claimKey(store, key, "fp", AT)).toBe(true);
    await releaseKey(store, key);
    expect(await findKey(store, key)).toBeUndefined();
    expect(await claimKey(store, key, "fp2", AT)).toBe(true);
  });

  it("stores a payment and finds it by id; an unknown id is undefined", async () => {
    const payment = newPayment(`pay_${uniqueOrderId()}`);
    await store.transaction(async (tx) => insertPayment(tx, payment));
    expect(await findPayment(store, payment.paymentId)).toEqual({
      payment: {
        paymentId: payment.paymentId,
        orderId: payment.orderId,
        status: "captured",
        amount: { value: 450, currency: "EUR" },
        createdAt: AT,
      },
      state: "captured",
      reference: "sim_0123",
    });
    expect(await findPayment(store, "pay_unknown")).toBeUndefined();
  });

  it("refuses a second payment with the same id", async () => {
    const payment = newPayment(`pay_${uniqueOrderId()}`);
    await insertPayment(store, payment);
    await expect(insertPayment(store, payment)).rejects.toThrow();
  });

  it("lets one of concurrent refunds begin, and refunds once", async () => {
    const payment = newPayment(`pay_${uniqueOrderId()}`);
    await insertPayment(store, payment);
    const begun = await Promise.all(Array.from({ length: 8 }, () => beginRefund(store, payment.paymentId)));
    expect(begun.filter(Boolean)).toHaveLength(1);
    expect((await findPayment(store, payment.paymentId))?.state).toBe("refunding");
    // Still captured to clients until the processor has refunded.
    expect((await findPayment(store, payment.paymentId))?.payment.status).toBe("captured");

    await completeRefund(store, payment.paymentId, "2025-03-01T09:00:00.000Z");
    const refunded = await findPayment(store, payment.paymentId);
    expect(refunded?.payment).toMatchObject({ status: "refunded", refundedAt: "2025-03-01T09:00:00.000Z" });
    expect(await beginRefund(store, payment.paymentId)).toBe(false);
  });

  it("puts a payment back to captured when its refund is abandoned", async () => {
    const payment = newPayment(`pay_${uniqueOrderId()}`);
    await insertPayment(store, payment);
    expect(await beginRefund(store, payment.paymentId)).toBe(true);
    await abandonRefund(store, payment.paymentId);
    expect((await findPayment(store, payment.paymentId))?.state).toBe("captured");
    expect(await beginRefund(store, payment.paymentId)).toBe(true);
  });

  it("rolls a transaction back whole: no payment without its recorded answer", async () => {
    const payment = newPayment(`pay_${uniqueOrderId()}`);
    await expect(
      store.transaction(async (tx) => {
        await insertPayment(tx, payment);
        throw new Error("the answer could not be recorded");
      }),
    ).rejects.toThrow("could not be recorded");
    expect(await findPayment(store, payment.paymentId)).toBeUndefined();
  });
});
