import type { Queryable } from "@coffee-edge/node18-typescript/store";
import type { StockItem, StockQuery } from "./schemas.js";
import { compareIds } from "./sort-order.js";

/** One sku's stock as the API shows it (the store is given by the enclosing answer). */
export interface StockLevel {
  readonly sku: string;
  readonly quantity: number;
  readonly lowStockThreshold: number;
}

export interface StockListing {
  readonly store: string;
  readonly items: StockLevel[];
}

interface StockRow {
  store: string;
  sku: string;
  quantity: number;
  low_stock_threshold: number;
}

const COLUMNS = "store, sku, quantity, low_stock_threshold";

/** `GET /?store=…[&sku=…]`: the store's stock sorted by sku; an unknown store or sku lists nothing. */
export async function listStock(db: Queryable, query: StockQuery): Promise<StockListing> {
  const rows =
    query.sku === undefined
      ? await db.all<StockRow>(`SELECT ${COLUMNS} FROM inventory_stock WHERE store = $1`, [query.store])
      : await db.all<StockRow>(`SELECT ${COLUMNS} FROM inventory_stock WHERE store = $1 AND sku = $2`, [
          query.store,
          query.sku,
        ]);
  return { store: query.store, items: rows.sort(byStoreThenSku).map(toLevel) };
}

/**
 * `PUT /stock`: sets the absolute quantity and threshold (PUT is idempotent: sending it twice leaves the
 * same stock). Reservations running at the same time serialise on the row; whichever commits last wins.
 */
export async function setStock(db: Queryable, item: StockItem, now: () => Date): Promise<StockItem> {
  const row = await db.get<StockRow>(
    `INSERT INTO inventory_stock (store, sku, quantity, low_stock_threshold, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (store, sku) DO UPDATE SET
       quantity = excluded.quantity,
       low_stock_threshold = excluded.low_stock_threshold,
       updated_at = excluded.updated_at
     RETURNING ${COLUMNS}`,
    [item.store, item.sku, item.quantity, item.lowStockThreshold, now().toISOString()],
  );
  if (!row) throw new Error("the upsert returned no row");
  return { store: row.store, ...toLevel(row) };
}

/** Every store's items at or below their threshold, stores and skus sorted; stores with none are left out. */
export async function lowStockByStore(db: Queryable): Promise<StockListing[]> {
  const rows = await db.all<StockRow>(`SELECT ${COLUMNS} FROM inventory_stock WHERE quantity <= low_stock_threshold`);
  rows.sort(byStoreThenSku);
  const listings: StockListing[] = [];
  for (const row of rows) {
    const last = listings[listings.length - 1];
    if (last?.store === row.store) last.items.push(toLevel(row));
    else listings.push({ store: row.store, items: [toLevel(row)] });
  }
  return listings;
}

function byStoreThenSku(a: StockRow, b: StockRow): number {
  return compareIds(a.store, b.store) || compareIds(a.sku, b.sku);
}

function toLevel(row: StockRow): StockLevel {
  return { sku: row.sku, quantity: row.quantity, lowStockThreshold: row.low_stock_threshold };
}
