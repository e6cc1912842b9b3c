import type { FunctionEvent } from "@coffee-edge/node18-typescript";
import { pathSegments } from "@coffee-edge/node18-typescript/request";
import { methodNotAllowed, routeNotFound } from "./problems.js";

/** What a request asks for, from its path (after `/function/payment`) and method. */
export type Route =
  | { readonly kind: "charge" }
  | { readonly kind: "lookup"; readonly paymentId: string }
  | { readonly kind: "refund"; readonly paymentId: string };

/** Matches the path first (404 when unknown), then the method (405 with `Allow` when wrong). */
export function routeOf(event: Pick<FunctionEvent, "method" | "path">): Route {
  const segments = pathSegments(event);
  if (segments.length === 0) return only(event, "POST", { kind: "charge" });
  const [collection, paymentId, action] = segments;
  if (collection === "payments" && paymentId !== undefined) {
    if (segments.length === 2) return only(event, "GET", { kind: "lookup", paymentId });
    if (segments.length === 3 && action === "refund") return only(event, "POST", { kind: "refund", paymentId });
  }
  throw routeNotFound(event.path);
}

function only(event: Pick<FunctionEvent, "method">, method: string, route: Route): Route {
  if (event.method !== method) throw methodNotAllowed(event.method, [method]);
  return route;
}
