import { ProblemError } from "@coffee-edge/node18-typescript";
import { describe, expect, it } from "vitest";
import { exampleOrder } from "./example-order.js";
import type { Order } from "./schema.js";
import { assertTotalsAddUp } from "./totals.js";

function withTotals(totals: Partial<Order["totals"]>): Order {
  return { ...exampleOrder, totals: { ...exampleOrder.totals, ...totals } };
}

function problemOf(order: Order): ProblemError {
  try {
    assertTotalsAddUp(order);
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error("expected a totals-mismatch problem");
}

describe("assertTotalsAddUp", () => {
  it("accepts totals that add up", () => {
    expect(() => assertTotalsAddUp(exampleOrder)).not.toThrow();
  });

  it("refuses a subtotal that is not the sum of the lines, saying what it should be", () => {
    const problem = problemOf(withTotals({ subtotal: 1400, total: 1546 }));
    expect(problem.status).toBe(422);
    expect(problem.type).toBe("https://coffee-edge.dev/problems/totals-mismatch");
    expect(problem.extensions.mismatches).toEqual([{ pointer: "/totals/subtotal", expected: 1460, actual: 1400 }]);
  });

  it("refuses a total that is not subtotal + tax", () => {
    const problem = problemOf(withTotals({ total: 1600 }));
    expect(problem.extensions.mismatches).toEqual([{ pointer: "/totals/total", expected: 1606, actual: 1600 }]);
  });

  it("lists both when both are wrong", () => {
    const problem = problemOf(withTotals({ subtotal: 1, tax: 1, total: 1 }));
    expect(problem.extensions.mismatches).toEqual([
      { pointer: "/totals/subtotal", expected: 1460, actual: 1 },
      { pointer: "/totals/total", expected: 2, actual: 1 },
    ]);
    expect(problem.detail).toBe("/totals/subtotal is 1, expected 1460; /totals/total is 1, expected 2");
  });
});
