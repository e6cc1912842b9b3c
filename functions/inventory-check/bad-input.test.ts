import type { Store } from "@coffee-edge/node18-typescript/store";
import { badJsonBodies, mapConcurrently } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reservationRequest, restockRequest } from "./schemas.js";
import {
  databaseTargets,
  openTargetStore,
  type RunningInventory,
  request,
  restock,
  startInventory,
} from "./test-helpers.js";

// Hostile bodies never cause a 5xx, never crash the process and never pollute prototypes.

// SQLite only: it is what the function runs on by default, and the schema check comes before any database work.
const { targets, dispose } = await databaseTargets({ postgres: false });
afterAll(dispose);
const sqlite = targets[0];

const validOrder = {
  orderId: "order-valid",
  store: "store042",
  items: [
    { sku: "BEANS-1KG", quantity: 2 },
    { sku: "MILK-1L", quantity: 1 },
  ],
};
const validRestock = { store: "store042", sku: "BEANS-1KG", quantity: 40, lowStockThreshold: 5 };

describe("bad input", () => {
  let store: Store;
  let inventory: RunningInventory;

  beforeAll(async () => {
    if (!sqlite) throw new Error("no SQLite target");
    store = await openTargetStore(sqlite);
    inventory = await startInventory(store);
  });
  afterAll(async () => {
    await inventory?.close();
    await store?.close();
  });

  const endpoints = [
    {
      name: "POST / (reserve)",
      path: "/",
      method: "POST",
      valid: validOrder,
      check: reservationRequest.check,
      headers: (): Record<string, string> => ({}),
    },
    {
      name: "PUT /stock (restock)",
      path: "/stock",
      method: "PUT",
      valid: validRestock,
      check: restockRequest.check,
      headers: (): Record<string, string> => ({ authorization: `Bearer ${inventory.token("inventory:write")}` }),
    },
  ];

  it.each(endpoints)(
    "answers ≥ 500 hostile bodies to $name with 4xx problems, then still serves",
    async (endpoint) => {
      const bodies = badJsonBodies(endpoint.valid, { count: 500, accepts: endpoint.check });
      expect(bodies.length).toBeGreaterThanOrEqual(500);
      const headers = endpoint.headers();

      const answers = await mapConcurrently(bodies, 16, async (bad) => {
        const res = await fetch(`${inventory.url}${endpoint.path}`, {
          method: endpoint.method,
          headers: { ...headers, "content-type": bad.contentType },
          body: bad.body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        return { label: bad.label, status: res.status, contentType: res.headers.get("content-type") };
      });
      const wrong = answers.filter(
        (answer) => answer.status < 400 || answer.status >= 500 || answer.contentType !== "application/problem+json",
      );
      expect(wrong).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      // Still serving, and the hostile bodies changed nothing: a valid restock and reservation work as usual.
      expect((await restock(inventory, validRestock)).status).toBe(200);
      await restock(inventory, { ...validRestock, sku: "MILK-1L" });
      const reserved = await request(inventory.url, {
        method: "POST",
        body: { ...validOrder, orderId: `after-${endpoint.method}` },
      });
      expect(reserved.status).toBe(200);
      expect(reserved.body.remaining).toEqual({ "BEANS-1KG": 38, "MILK-1L": 39 });
    },
    60_000,
  );
});
