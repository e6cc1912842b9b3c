import { isUniqueViolation, type Queryable, type Store } from "@coffee-edge/node18-typescript/store";
import { type OrderLine, orderFingerprint, orderLines } from "./order-lines.js";
import { type MissingItem, orderConflict, outOfStock } from "./problems.js";
import type { ReservationRequest } from "./schemas.js";

/** The 200 answer of a reservation, recorded so that a retried order id gets it again unchanged. */
export interface Reservation {
  readonly status: "accepted";
  readonly orderId: string;
  /** Stock left of each sku of the order, right after this reservation. */
  readonly remaining: Record<string, number>;
  /** The order's skus now at or below their low-stock threshold, sorted. */
  readonly lowStock: string[];
}

interface RecordedRow {
  fingerprint: string;
  answer: string;
}

/** Thrown inside the transaction to roll back every decrement made so far. */
class ShortLine extends Error {
  constructor(readonly line: OrderLine) {
    super(`not enough ${line.sku}`);
  }
}

/**
 * Reserves every line of the order, or none. One transaction takes each sku with a conditional UPDATE
 * (`quantity >= requested`), so concurrent orders can never take more than there is: on SQLite the
 * transactions run one at a time; on PostgreSQL the row lock makes a competing UPDATE wait and re-check
 * the condition against the committed quantity. A retried order id is answered from its record.
 */
export async function reserveOrder(store: Store, order: ReservationRequest, now: () => Date): Promise<Reservation> {
  const lines = orderLines(order.items);
  const fingerprint = orderFingerprint(order.store, lines);
  try {
    return await store.transaction((tx) => reserveIn(tx, order, lines, fingerprint, now().toISOString()));
  } catch (error) {
    if (error instanceof ShortLine) {
      throw outOfStock(order.orderId, await missingItems(store, order.store, lines, error.line));
    }
    // PostgreSQL: an identical request committed first, between our look-up and our insert. Our
    // transaction rolled back whole, so nothing was taken twice; answer what the first one got.
    if (isUniqueViolation(error)) return replay(await recorded(store, order.orderId), order.orderId, fingerprint);
    throw error;
  }
}

async function reserveIn(
  tx: Queryable,
  order: ReservationRequest,
  lines: readonly OrderLine[],
  fingerprint: string,
  at: string,
): Promise<Reservation> {
  const previous = await recorded(tx, order.orderId);
  if (previous) return replay(previous, order.orderId, fingerprint);

  const remaining: Array<[string, number]> = [];
  const lowStock: string[] = [];
  for (const line of lines) {
    const row = await tx.get<{ quantity: number; low_stock_threshold: number }>(
      `UPDATE inventory_stock SET quantity = quantity - $3, updated_at = $4
        WHERE store = $1 AND sku = $2 AND quantity >= $3
        RETURNING quantity, low_stock_threshold`,
      [order.store, line.sku, line.quantity, at],
    );
    if (!row) throw new ShortLine(line);
    remaining.push([line.sku, row.quantity]);
    if (row.quantity <= row.low_stock_threshold) lowStock.push(line.sku);
  }

  const answer: Reservation = {
    status: "accepted",
    orderId: order.orderId,
    remaining: Object.fromEntries(remaining),
    lowStock,
  };
  await tx.run(
    `INSERT INTO inventory_reservations (order_id, store, fingerprint, answer, created_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [order.orderId, order.store, fingerprint, JSON.stringify(answer), at],
  );
  return answer;
}

function recorded(db: Queryable, orderId: string): Promise<RecordedRow | undefined> {
  return db.get<RecordedRow>("SELECT fingerprint, answer FROM inventory_reservations WHERE order_id = $1", [orderId]);
}

function replay(row: RecordedRow | undefined, orderId: string, fingerprint: string): Reservation {
  // A unique violation with no row to show cannot happen (reservations are never deleted); fail loudly.
  if (!row) throw new Error(`reservation ${orderId} collided but is not recorded`);
  if (row.fingerprint !== fingerprint) throw orderConflict(orderId);
  return JSON.parse(row.answer) as Reservation;
}

/**
 * What the order lacks, read after the rollback. The line that failed is always listed (with what is there
 * now), even if a restock landed in between, so the answer always names at least one cause.
 */
async function missingItems(
  store: Store,
  storeId: string,
  lines: readonly OrderLine[],
  failed: OrderLine,
): Promise<MissingItem[]> {
  const skus = lines.map((line) => line.sku);
  const placeholders = skus.map((_sku, index) => `$${index + 2}`).join(", ");
  const rows = await store.all<{ sku: string; quantity: number }>(
    `SELECT sku, quantity FROM inventory_stock WHERE store = $1 AND sku IN (${placeholders})`,
    [storeId, ...skus],
  );
  const available = new Map(rows.map((row) => [row.sku, row.quantity]));
  return lines
    .map((line) => ({ sku: line.sku, requested: line.quantity, available: available.get(line.sku) ?? 0 }))
    .filter((item) => item.available < item.requested || item.sku === failed.sku);
}
