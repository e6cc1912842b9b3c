import { createHash } from "node:crypto";
import type { ReservationRequest } from "./schemas.js";
import { compareIds } from "./sort-order.js";

/** One sku of an order with the total quantity asked for. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
}

/**
 * The order's lines with duplicate skus summed, sorted by sku. Sorting gives every transaction the same
 * row-lock order on PostgreSQL, so two orders sharing skus wait for each other instead of deadlocking.
 */
export function orderLines(items: ReservationRequest["items"]): OrderLine[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of items) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals.entries()].sort(([a], [b]) => compareIds(a, b)).map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * What the order asks for, independent of how the till listed it: a retry that splits or reorders the same
 * lines is the same order; a different store or quantity is a different one (an order-conflict).
 */
export function orderFingerprint(store: string, lines: readonly OrderLine[]): string {
  const canonical = JSON.stringify([store, lines.map(({ sku, quantity }) => [sku, quantity])]);
  return createHash("sha256").update(canonical).digest("hex");
}
