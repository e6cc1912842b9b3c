import type { Migration } from "@coffee-edge/node18-typescript/store";

/**
 * The payment function's tables, prefixed `payment_` because functions may share one database.
 * SQL valid on SQLite and PostgreSQL alike: TEXT ISO-8601 timestamps, INTEGER minor units (≤ 1 000 000).
 */
export const migrations: readonly Migration[] = [
  {
    id: "payment/001-payments",
    sql: `
      CREATE TABLE payment_payments (
        payment_id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        store_id TEXT NOT NULL,
        amount_value INTEGER NOT NULL,
        amount_currency TEXT NOT NULL,
        method TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('captured', 'refunding', 'refunded')),
        processor_reference TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        refunded_at TEXT
      );
      CREATE INDEX payment_payments_order ON payment_payments (order_id);
      CREATE TABLE payment_idempotency (
        idempotency_key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in-flight', 'done')),
        response_status INTEGER,
        response_headers TEXT,
        response_body TEXT,
        claimed_at TEXT NOT NULL,
        completed_at TEXT
      )
    `,
  },
];
