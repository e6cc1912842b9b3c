import type { Handler } from "@coffee-edge/node18-typescript";
import { authorizeAny, SCOPES } from "./access.js";
import { takePayment } from "./charge.js";
import type { PaymentDeps } from "./deps.js";
import { lookUpPayment } from "./lookup.js";
import { refundPayment } from "./refund.js";
import { routeOf } from "./routes.js";

export { defaultDeps, newPaymentId, openPaymentStore, type PaymentDeps } from "./deps.js";

/**
 * The payment function with its collaborators given: route, authorize, then the route's own work.
 * Routing comes first so an unknown path is a 404 for anyone; every known route needs credentials.
 */
export function createHandler(deps: PaymentDeps): Handler {
  return async function payment(event, context) {
    const route = routeOf(event);
    switch (route.kind) {
      case "charge":
        await authorizeAny(deps.authenticator, event, [SCOPES.write]);
        return takePayment(deps, event, context);
      case "lookup":
        await authorizeAny(deps.authenticator, event, [SCOPES.read, SCOPES.write]);
        return lookUpPayment(deps, route.paymentId);
      case "refund":
        await authorizeAny(deps.authenticator, event, [SCOPES.refund]);
        return refundPayment(deps, event, route.paymentId);
    }
  };
}
