import { ProblemError, problemType } from "@coffee-edge/node18-typescript";
import type { Order } from "./schema.js";

/**
 * A receipt must not print numbers that disagree with each other: subtotal = Σ quantity × unitPrice and
 * total = subtotal + tax, all in minor units (exact: the schema bounds keep every sum below 2^53).
 * Throws a 422 problem naming what was expected.
 */
export function assertTotalsAddUp(order: Order): void {
  const subtotal = order.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  const total = order.totals.subtotal + order.totals.tax;
  const mismatches: Array<{ pointer: string; expected: number; actual: number }> = [];
  if (order.totals.subtotal !== subtotal) {
    mismatches.push({ pointer: "/totals/subtotal", expected: subtotal, actual: order.totals.subtotal });
  }
  if (order.totals.total !== total) {
    mismatches.push({ pointer: "/totals/total", expected: total, actual: order.totals.total });
  }
  if (mismatches.length === 0) return;
  throw new ProblemError(422, {
    type: problemType("totals-mismatch"),
    title: "Order totals do not add up",
    detail: mismatches.map((m) => `${m.pointer} is ${m.actual}, expected ${m.expected}`).join("; "),
    extensions: { mismatches },
  });
}
