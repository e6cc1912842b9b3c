import type { Store } from "@coffee-edge/node18-typescript/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  clearInventory,
  databaseTargets,
  openTargetStore,
  type RunningInventory,
  request,
  restock,
  startInventory,
} from "./test-helpers.js";

// "Never oversells": many orders at once over real HTTP, on SQLite and on PostgreSQL.

const { targets, dispose } = await databaseTargets();
afterAll(dispose);

describe.each(targets)("concurrent reservations on $name", (target) => {
  let store: Store;
  let inventory: RunningInventory;

  beforeAll(async () => {
    store = await openTargetStore(target);
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(async () => {
    await clearInventory(store);
    inventory = await startInventory(store);
  });
  afterEach(() => inventory.close());

  const reserve = (order: unknown) => request(inventory.url, { method: "POST", body: order });
  const stockOf = async (sku: string) =>
    (await request(`${inventory.url}/?store=store042&sku=${sku}`)).body.items[0]?.quantity;

  it("accepts exactly 50 of 200 concurrent single-unit orders against 50 units", async () => {
    await restock(inventory, { store: "store042", sku: "BEANS-1KG", quantity: 50, lowStockThreshold: 5 });
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        reserve({ orderId: `order-${n}`, store: "store042", items: [{ sku: "BEANS-1KG", quantity: 1 }] }),
      ),
    );
    const accepted = answers.filter((answer) => answer.status === 200);
    const rejected = answers.filter((answer) => answer.status === 409);
    expect(accepted).toHaveLength(50);
    expect(rejected).toHaveLength(150);
    for (const answer of rejected) {
      expect(answer.body.type).toBe("https://coffee-edge.dev/problems/out-of-stock");
      expect(answer.body.missing).toEqual([{ sku: "BEANS-1KG", requested: 1, available: 0 }]);
    }
    // Each accepted order saw its own decrement: the remaining counts are 49, 48, …, 0, each once.
    const remaining = accepted.map((answer) => answer.body.remaining["BEANS-1KG"] as number).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 50 }, (_, n) => n));
    expect(await stockOf("BEANS-1KG")).toBe(0);
    const recorded = await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM inventory_reservations");
    expect(recorded?.n).toBe(50);
  }, 60_000);

  it("keeps multi-item orders all-or-none when they list shared skus in opposite orders", async () => {
    await restock(inventory, { store: "store042", sku: "MILK-1L", quantity: 30, lowStockThreshold: 0 });
    await restock(inventory, { store: "store042", sku: "BEANS-1KG", quantity: 40, lowStockThreshold: 0 });
    const lines = [
      { sku: "MILK-1L", quantity: 1 },
      { sku: "BEANS-1KG", quantity: 1 },
    ];
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        reserve({ orderId: `pair-${n}`, store: "store042", items: n % 2 ? lines : [...lines].reverse() }),
      ),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(30);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(70);
    expect(await stockOf("MILK-1L")).toBe(0);
    // Had a rejected order kept its BEANS decrement, fewer than 10 would be left.
    expect(await stockOf("BEANS-1KG")).toBe(10);
  }, 60_000);
});
