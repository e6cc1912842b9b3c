import type { Queryable } from "@coffee-edge/node18-typescript/store";
import type { CurrencyCode } from "./currencies.js";
import type { Amount, PaymentMethod } from "./schema.js";

/** A payment as clients see it: the 201 body, what GET answers, and (refunded) what a refund answers. */
export interface Payment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly status: "captured" | "refunded";
  readonly amount: Amount;
  readonly createdAt: string;
  readonly refundedAt?: string;
}

/** A captured payment as stored, with what a refund needs and clients never see. */
export interface StoredPayment {
  readonly payment: Payment;
  /** `refunding` while a refund is with the processor; clients still see `captured` then. */
  readonly state: "captured" | "refunding" | "refunded";
  readonly reference: string;
}

export interface NewPayment {
  readonly paymentId: string;
  readonly orderId: string;
  readonly store: string;
  readonly amount: Amount;
  readonly method: PaymentMethod;
  readonly reference: string;
  readonly idempotencyKey: string;
  readonly createdAt: string;
}

interface PaymentRow {
  payment_id: string;
  order_id: string;
  amount_value: number;
  amount_currency: string;
  status: "captured" | "refunding" | "refunded";
  processor_reference: string;
  created_at: string;
  refunded_at: string | null;
}

export async function insertPayment(db: Queryable, payment: NewPayment): Promise<void> {
  await db.run(
    `INSERT INTO payment_payments (payment_id, order_id, store_id, amount_value, amount_currency, method, status,
       processor_reference, idempotency_key, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'captured', $7, $8, $9)`,
    [
      payment.paymentId,
      payment.orderId,
      payment.store,
      payment.amount.value,
      payment.amount.currency,
      payment.method,
      payment.reference,
      payment.idempotencyKey,
      payment.createdAt,
    ],
  );
}

export async function findPayment(db: Queryable, paymentId: string): Promise<StoredPayment | undefined> {
  const row = await db.get<PaymentRow>(
    `SELECT payment_id, order_id, amount_value, amount_currency, status, processor_reference, created_at, refunded_at
     FROM payment_payments WHERE payment_id = $1`,
    [paymentId],
  );
  return row === undefined ? undefined : fromRow(row);
}

/**
 * Moves a captured payment to `refunding`: true for the one request that did it. The conditional UPDATE is
 * atomic on both databases, so of two refunds racing, one goes to the processor and the other is told.
 */
export async function beginRefund(db: Queryable, paymentId: string): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE payment_payments SET status = 'refunding' WHERE payment_id = $1 AND status = 'captured'`,
    [paymentId],
  );
  return changes === 1;
}

export async function completeRefund(db: Queryable, paymentId: string, refundedAt: string): Promise<void> {
  await db.run(
    `UPDATE payment_payments SET status = 'refunded', refunded_at = $2 WHERE payment_id = $1 AND status = 'refunding'`,
    [paymentId, refundedAt],
  );
}

/** Undoes `beginRefund` when the processor could not be reached: the payment is still captured. */
export async function abandonRefund(db: Queryable, paymentId: string): Promise<void> {
  await db.run(`UPDATE payment_payments SET status = 'captured' WHERE payment_id = $1 AND status = 'refunding'`, [
    paymentId,
  ]);
}

function fromRow(row: PaymentRow): StoredPayment {
  const refunded = row.status === "refunded" && row.refunded_at !== null;
  const payment: Payment = {
    paymentId: row.payment_id,
    orderId: row.order_id,
    status: refunded ? "refunded" : "captured",
    // Only currencies the schema accepted were ever written.
    amount: { value: row.amount_value, currency: row.amount_currency as CurrencyCode },
    createdAt: row.created_at,
    ...(refunded && row.refunded_at !== null ? { refundedAt: row.refunded_at } : {}),
  };
  return { payment, state: row.status, reference: row.processor_reference };
}
