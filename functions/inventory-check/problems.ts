import { ProblemError, problemType } from "@coffee-edge/node18-typescript";

/** One line of an order that cannot be served: what was asked for and what the store has now. */
export interface MissingItem {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

export function outOfStock(orderId: string, missing: readonly MissingItem[]): ProblemError {
  const skus = missing.map((item) => item.sku).join(", ");
  return new ProblemError(409, {
    type: problemType("out-of-stock"),
    title: "Out of stock",
    detail: `Order ${orderId} was not reserved: not enough stock of ${skus}. Nothing was reserved.`,
    extensions: { orderId, missing },
  });
}

export function orderConflict(orderId: string): ProblemError {
  return new ProblemError(409, {
    type: problemType("order-conflict"),
    title: "Order id already used",
    detail: `Order ${orderId} was already reserved with different items or another store; use a new order id.`,
    extensions: { orderId },
  });
}

export function storeUnavailable(cause: unknown): ProblemError {
  return new ProblemError(503, {
    type: problemType("store-unavailable"),
    title: "Inventory store unavailable",
    detail: "The inventory database cannot be reached; retry later.",
    headers: { "retry-after": "5" },
    cause,
  });
}

export function notFound(path: string): ProblemError {
  return new ProblemError(404, {
    type: problemType("not-found"),
    title: "Not found",
    detail: `There is nothing at ${path.slice(0, 200)}: use / (reserve, query) or /stock (restock).`,
  });
}

export function methodNotAllowed(method: string, allowed: readonly string[]): ProblemError {
  return new ProblemError(405, {
    type: problemType("method-not-allowed"),
    title: "Method not allowed",
    detail: `${method} is not allowed here; use ${allowed.join(" or ")}.`,
    headers: { allow: allowed.join(", ") },
  });
}
