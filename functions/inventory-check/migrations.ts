import type { Migration } from "@coffee-edge/node18-typescript/store";

/**
 * Tables are prefixed with `inventory_` because functions may share one database. Quantities are INTEGER
 * on both databases; the CHECK is a last line of defence: the conditional UPDATEs never go below zero.
 */
export const migrations: readonly Migration[] = [
  {
    id: "inventory-check/001-stock",
    sql: `CREATE TABLE inventory_stock (
      store TEXT NOT NULL,
      sku TEXT NOT NULL,
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      low_stock_threshold INTEGER NOT NULL CHECK (low_stock_threshold >= 0),
      updated_at TEXT NOT NULL,
      PRIMARY KEY (store, sku)
    )`,
  },
  {
    id: "inventory-check/002-reservations",
    // `answer` is the exact JSON the first request got: a retry is answered from it, byte for byte.
    sql: `CREATE TABLE inventory_reservations (
      order_id TEXT PRIMARY KEY,
      store TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      answer TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`,
  },
];
