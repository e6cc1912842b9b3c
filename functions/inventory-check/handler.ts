import type { FunctionEvent, Handler } from "@coffee-edge/node18-typescript";
import { connectorOf, pathSegments, queryValue } from "@coffee-edge/node18-typescript/request";
import { step } from "@coffee-edge/node18-typescript/steps";
import { openOnFirstUse, type Store } from "@coffee-edge/node18-typescript/store";
import { defaultDeps, type InventoryDeps } from "./deps.js";
import { methodNotAllowed, notFound, storeUnavailable } from "./problems.js";

import { reserveOrder } from "./reserve.js";
import { reservationRequest, restockRequest, stockQuery } from "./schemas.js";
import { listStock, lowStockByStore, setStock } from "./stock.js";

/** The scope a token needs to restock. */
export const RESTOCK_SCOPE = "inventory:write";

/**
 * Routes:
 * - any request from the cron connector → the low-stock report of every store;
 * - `POST /` → reserve an order; `GET /?store=…[&sku=…]` → stock levels;
 * - `PUT /stock` → set one sku's stock (JWT scope `inventory:write`).
 */
export function createHandler(deps: InventoryDeps): Handler {
  const openStore = openOnFirstUse(deps.openStore);
  const store = async (): Promise<Store> => {
    try {
      return await openStore();
    } catch (error) {
      deps.logger.error("the inventory store could not be opened", { reason: (error as Error)?.message });
      throw storeUnavailable(error);
    }
  };

  return async function inventoryCheck(event) {
    // The cron connector's POST has no order in it: its header, not the route, says what it wants.
    if (connectorOf(event) === "cron-connector") {
      const stores = await step("store", async () => lowStockByStore(await store()));
      return { generatedAt: deps.clock().toISOString(), stores };
    }
    const route = pathSegments(event).join("/");
    if (route === "") {
      if (event.method === "POST") {
        const order = await step("validate", () => reservationRequest.body(event));
        return step("store", async () => reserveOrder(await store(), order, deps.clock), { "order.id": order.orderId });
      }
      if (event.method === "GET") {
        const query = await step("validate", () => stockQuery.parse(queryOf(event)));
        return step("store", async () => listStock(await store(), query));
      }
      throw methodNotAllowed(event.method, ["GET", "POST"]);
    }
    if (route === "stock") {
      if (event.method !== "PUT") throw methodNotAllowed(event.method, ["PUT"]);
      // Authenticate before reading the body: an anonymous caller learns nothing about the schema.
      await step("authorize", () => deps.authenticator.authorize(event, RESTOCK_SCOPE));
      const item = await step("validate", () => restockRequest.body(event));
      return step("store", async () => setStock(await store(), item, deps.clock));
    }
    throw notFound(event.path);
  };
}

/** The query members the schema knows, first value of each; absent ones stay absent. */
function queryOf(event: Pick<FunctionEvent, "query">): Record<string, string> {
  const query: Record<string, string> = {};
  for (const name of ["store", "sku"]) {
    const value = queryValue(event, name);
    if (value !== undefined) query[name] = value;
  }
  return query;
}

export default createHandler(defaultDeps());
