import type { Store } from "@coffee-edge/node18-typescript/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  clearInventory,
  databaseTargets,
  NOW,
  openTargetStore,
  type RunningInventory,
  request,
  restock,
  startInventory,
} from "./test-helpers.js";

// The whole HTTP contract, on SQLite and on PostgreSQL: the same requests must get the same answers.

const { targets, dispose } = await databaseTargets();
afterAll(dispose);

const PROBLEM = "application/problem+json";
const problem = (slug: string) => `https://coffee-edge.dev/problems/${slug}`;

describe.each(targets)("inventory-check on $name", (target) => {
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

  const stockOf = async (storeId: string, sku: string) =>
    (await request(`${inventory.url}/?store=${storeId}&sku=${sku}`)).body.items[0]?.quantity;
  const reserve = (order: unknown) => request(inventory.url, { method: "POST", body: order });

  describe("stock queries and restock", () => {
    it("sets absolute levels with PUT /stock and lists a store's stock sorted by sku", async () => {
      const put = await restock(inventory, { store: "store042", sku: "MILK-1L", quantity: 12, lowStockThreshold: 4 });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ store: "store042", sku: "MILK-1L", quantity: 12, lowStockThreshold: 4 });
      await restock(inventory, { store: "store042", sku: "BEANS-1KG", quantity: 3, lowStockThreshold: 5 });
      await restock(inventory, { store: "store042", sku: "beans-decaf", quantity: 8, lowStockThreshold: 2 });
      await restock(inventory, { store: "store007", sku: "BEANS-1KG", quantity: 99, lowStockThreshold: 5 });

      const all = await request(`${inventory.url}/?store=store042`);
      expect(all.status).toBe(200);
      expect(all.body).toEqual({
        store: "store042",
        items: [
          { sku: "BEANS-1KG", quantity: 3, lowStockThreshold: 5 },
          { sku: "MILK-1L", quantity: 12, lowStockThreshold: 4 },
          { sku: "beans-decaf", quantity: 8, lowStockThreshold: 2 },
        ],
      });
      const one = await request(`${inventory.url}/?store=store007&sku=BEANS-1KG`);
      expect(one.body).toEqual({
        store: "store007",
        items: [{ sku: "BEANS-1KG", quantity: 99, lowStockThreshold: 5 }],
      });
    });

    it("replaces the level on a second PUT (idempotent, not additive)", async () => {
      const item = { store: "store042", sku: "CUPS-12OZ", quantity: 500, lowStockThreshold: 50 };
      await restock(inventory, item);
      const again = await restock(inventory, item);
      expect(again.body).toEqual(item);
      await restock(inventory, { ...item, quantity: 0 });
      expect(await stockOf("store042", "CUPS-12OZ")).toBe(0);
    });

    it("lists nothing for an unknown store or sku", async () => {
      expect((await request(`${inventory.url}/?store=store999`)).body).toEqual({ store: "store999", items: [] });
      expect((await request(`${inventory.url}/?store=store999&sku=NOPE`)).body).toEqual({
        store: "store999",
        items: [],
      });
    });

    it.each([
      ["no store", "/", "/store"],
      ["an empty store", "/?store=", "/store"],
      ["a store with a slash", "/?store=store%2F042", "/store"],
      ["a sku too long", `/?store=store042&sku=${"A".repeat(65)}`, "/sku"],
    ])("answers a query with %s with a 400 problem", async (_label, path, pointer) => {
      const answer = await request(`${inventory.url}${path}`);
      expect(answer.status).toBe(400);
      expect(answer.contentType).toBe(PROBLEM);
      expect(answer.body.type).toBe(problem("invalid-request"));
      expect(answer.body.errors[0].pointer).toBe(pointer);
    });
  });

  describe("restock authorisation", () => {
    const item = { store: "store042", sku: "MILK-1L", quantity: 10, lowStockThreshold: 2 };
    const put = (headers: Record<string, string>) =>
      request(`${inventory.url}/stock`, { method: "PUT", body: item, headers });

    it("answers 401 with WWW-Authenticate without a token, and changes nothing", async () => {
      const answer = await put({});
      expect(answer.status).toBe(401);
      expect(answer.contentType).toBe(PROBLEM);
      expect(answer.headers.get("www-authenticate")).toBe("Bearer");
      expect(await stockOf("store042", "MILK-1L")).toBeUndefined();
    });

    it("answers 401 for an expired token, a wrong audience or a forged signature", async () => {
      const expired = inventory.token("inventory:write", { exp: Math.floor(Date.now() / 1000) - 60 });
      const otherAudience = inventory.token("inventory:write", { aud: "payment" });
      const good = inventory.token("inventory:write");
      const forged = `${good.slice(0, good.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
      for (const token of [expired, otherAudience, forged]) {
        const answer = await put({ authorization: `Bearer ${token}` });
        expect(answer.status).toBe(401);
        expect(answer.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
        expect(JSON.stringify(answer.body)).not.toContain(token);
      }
      expect(await stockOf("store042", "MILK-1L")).toBeUndefined();
    });

    it("answers 403 when the token lacks inventory:write", async () => {
      const answer = await put({ authorization: `Bearer ${inventory.token("inventory:read payments:write")}` });
      expect(answer.status).toBe(403);
      expect(answer.body.type).toBe(problem("insufficient-scope"));
      expect(answer.body.requiredScope).toBe("inventory:write");
      expect(await stockOf("store042", "MILK-1L")).toBeUndefined();
    });

    it("answers 200 with the item for a token with inventory:write among its scopes", async () => {
      const answer = await put({ authorization: `Bearer ${inventory.token("inventory:read inventory:write")}` });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(item);
      expect(await stockOf("store042", "MILK-1L")).toBe(10);
    });
  });

  describe("reservations", () => {
    beforeEach(async () => {
      await restock(inventory, { store: "store042", sku: "BEANS-1KG", quantity: 10, lowStockThreshold: 3 });
      await restock(inventory, { store: "store042", sku: "MILK-1L", quantity: 6, lowStockThreshold: 2 });
      await restock(inventory, { store: "store042", sku: "CUPS-12OZ", quantity: 100, lowStockThreshold: 10 });
    });

    it("reserves every item and answers what remains and what is now low", async () => {
      const answer = await reserve({
        orderId: "o-1",
        store: "store042",
        items: [
          { sku: "MILK-1L", quantity: 4 },
          { sku: "BEANS-1KG", quantity: 2 },
        ],
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        status: "accepted",
        orderId: "o-1",
        remaining: { "BEANS-1KG": 8, "MILK-1L": 2 },
        lowStock: ["MILK-1L"],
      });
      expect(await stockOf("store042", "MILK-1L")).toBe(2);
      expect(await stockOf("store042", "BEANS-1KG")).toBe(8);
    });

    it("sums a sku listed twice in one order", async () => {
      const answer = await reserve({
        orderId: "o-dup",
        store: "store042",
        items: [
          { sku: "BEANS-1KG", quantity: 4 },
          { sku: "BEANS-1KG", quantity: 3 },
        ],
      });
      expect(answer.body.remaining).toEqual({ "BEANS-1KG": 3 });
      expect(answer.body.lowStock).toEqual(["BEANS-1KG"]);
      const tooMany = await reserve({
        orderId: "o-dup-2",
        store: "store042",
        items: [
          { sku: "BEANS-1KG", quantity: 2 },
          { sku: "BEANS-1KG", quantity: 2 },
        ],
      });
      expect(tooMany.status).toBe(409);
      expect(tooMany.body.missing).toEqual([{ sku: "BEANS-1KG", requested: 4, available: 3 }]);
    });

    it("reserves none of the order when one item is short, and lists every missing item", async () => {
      const answer = await reserve({
        orderId: "o-short",
        store: "store042",
        items: [
          { sku: "CUPS-12OZ", quantity: 5 },
          { sku: "MILK-1L", quantity: 7 },
          { sku: "BEANS-1KG", quantity: 1 },
          { sku: "SYRUP-VANILLA", quantity: 1 },
        ],
      });
      expect(answer.status).toBe(409);
      expect(answer.contentType).toBe(PROBLEM);
      expect(answer.body).toMatchObject({
        type: problem("out-of-stock"),
        title: "Out of stock",
        status: 409,
        orderId: "o-short",
        missing: [
          { sku: "MILK-1L", requested: 7, available: 6 },
          { sku: "SYRUP-VANILLA", requested: 1, available: 0 },
        ],
      });
      // CUPS-12OZ and BEANS-1KG sort before MILK-1L, so they were taken, then given back.
      expect(await stockOf("store042", "CUPS-12OZ")).toBe(100);
      expect(await stockOf("store042", "BEANS-1KG")).toBe(10);
      expect(await stockOf("store042", "MILK-1L")).toBe(6);
    });

    it("does not record a rejection: the same order id succeeds after a restock", async () => {
      const order = { orderId: "o-later", store: "store042", items: [{ sku: "MILK-1L", quantity: 8 }] };
      expect((await reserve(order)).status).toBe(409);
      await restock(inventory, { store: "store042", sku: "MILK-1L", quantity: 20, lowStockThreshold: 2 });
      const retry = await reserve(order);
      expect(retry.status).toBe(200);
      expect(retry.body.remaining).toEqual({ "MILK-1L": 12 });
    });

    it("only takes stock of the store named in the order", async () => {
      await restock(inventory, { store: "store007", sku: "MILK-1L", quantity: 50, lowStockThreshold: 2 });
      const answer = await reserve({ orderId: "o-7", store: "store007", items: [{ sku: "MILK-1L", quantity: 10 }] });
      expect(answer.body.remaining).toEqual({ "MILK-1L": 40 });
      expect(await stockOf("store042", "MILK-1L")).toBe(6);
    });

    it("answers a retried order id with the first answer and takes nothing again", async () => {
      const order = { orderId: "o-retry", store: "store042", items: [{ sku: "BEANS-1KG", quantity: 2 }] };
      const first = await reserve(order);
      // Between the two, another order lowers the stock: the retry still gets the first answer.
      await reserve({ orderId: "o-other", store: "store042", items: [{ sku: "BEANS-1KG", quantity: 1 }] });
      const second = await reserve(order);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect(first.body.remaining).toEqual({ "BEANS-1KG": 8 });
      expect(await stockOf("store042", "BEANS-1KG")).toBe(7);
    });

    it("treats the same lines split or reordered as the same order", async () => {
      const first = await reserve({
        orderId: "o-same",
        store: "store042",
        items: [
          { sku: "MILK-1L", quantity: 2 },
          { sku: "BEANS-1KG", quantity: 2 },
        ],
      });
      const reordered = await reserve({
        orderId: "o-same",
        store: "store042",
        items: [
          { sku: "BEANS-1KG", quantity: 1 },
          { sku: "MILK-1L", quantity: 2 },
          { sku: "BEANS-1KG", quantity: 1 },
        ],
      });
      expect(reordered.status).toBe(200);
      expect(reordered.body).toEqual(first.body);
      expect(await stockOf("store042", "BEANS-1KG")).toBe(8);
    });

    it.each([
      ["other quantities", { store: "store042", items: [{ sku: "BEANS-1KG", quantity: 3 }] }],
      ["another sku", { store: "store042", items: [{ sku: "MILK-1L", quantity: 2 }] }],
      ["another store", { store: "store007", items: [{ sku: "BEANS-1KG", quantity: 2 }] }],
    ])("answers 409 order-conflict when a used order id comes back with %s", async (_label, changed) => {
      await reserve({ orderId: "o-conflict", store: "store042", items: [{ sku: "BEANS-1KG", quantity: 2 }] });
      const answer = await reserve({ orderId: "o-conflict", ...changed });
      expect(answer.status).toBe(409);
      expect(answer.contentType).toBe(PROBLEM);
      expect(answer.body.type).toBe(problem("order-conflict"));
      expect(answer.body.orderId).toBe("o-conflict");
      expect(await stockOf("store042", "BEANS-1KG")).toBe(8);
      expect(await stockOf("store042", "MILK-1L")).toBe(6);
    });

    it("answers racing duplicates of one order alike and takes the stock once", async () => {
      const order = {
        orderId: "o-race",
        store: "store042",
        items: [
          { sku: "MILK-1L", quantity: 1 },
          { sku: "BEANS-1KG", quantity: 1 },
        ],
      };
      const answers = await Promise.all(Array.from({ length: 20 }, () => reserve(order)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
      for (const answer of answers) expect(answer.body).toEqual(answers[0]?.body);
      expect(answers[0]?.body.remaining).toEqual({ "BEANS-1KG": 9, "MILK-1L": 5 });
      expect(await stockOf("store042", "MILK-1L")).toBe(5);
      expect(await stockOf("store042", "BEANS-1KG")).toBe(9);
    });

    it("answers a body that is not JSON with 415 and an order that breaks the schema with 400", async () => {
      const text = await request(inventory.url, { method: "POST", raw: "orderId=1", headers: {} });
      expect(text.status).toBe(415);
      expect(text.contentType).toBe(PROBLEM);
      const zero = await reserve({ orderId: "o-0", store: "store042", items: [{ sku: "MILK-1L", quantity: 0 }] });
      expect(zero.status).toBe(400);
      expect(zero.body.errors[0].pointer).toBe("/items/0/quantity");
      const empty = await reserve({ orderId: "o-0", store: "store042", items: [] });
      expect(empty.status).toBe(400);
      expect(await stockOf("store042", "MILK-1L")).toBe(6);
    });
  });

  describe("the low-stock report on cron", () => {
    it("lists every store's items at or below their threshold, whatever the method and body", async () => {
      await restock(inventory, { store: "store042", sku: "MILK-1L", quantity: 2, lowStockThreshold: 2 });
      await restock(inventory, { store: "store042", sku: "BEANS-1KG", quantity: 1, lowStockThreshold: 3 });
      await restock(inventory, { store: "store042", sku: "CUPS-12OZ", quantity: 300, lowStockThreshold: 10 });
      await restock(inventory, { store: "store007", sku: "SYRUP-VANILLA", quantity: 0, lowStockThreshold: 0 });
      await restock(inventory, { store: "store100", sku: "MILK-1L", quantity: 40, lowStockThreshold: 5 });

      const expected = {
        generatedAt: NOW.toISOString(),
        stores: [
          { store: "store007", items: [{ sku: "SYRUP-VANILLA", quantity: 0, lowStockThreshold: 0 }] },
          {
            store: "store042",
            items: [
              { sku: "BEANS-1KG", quantity: 1, lowStockThreshold: 3 },
              { sku: "MILK-1L", quantity: 2, lowStockThreshold: 2 },
            ],
          },
        ],
      };
      const cron = { "x-connector": "cron-connector" };
      const post = await request(inventory.url, { method: "POST", raw: "", headers: cron });
      expect(post.status).toBe(200);
      expect(post.body).toEqual(expected);
      const get = await request(`${inventory.url}/anything`, { headers: cron });
      expect(get.body).toEqual(expected);
    });

    it("reports no stores when nothing is low, and a reservation that crosses a threshold shows up", async () => {
      await restock(inventory, { store: "store042", sku: "MILK-1L", quantity: 3, lowStockThreshold: 2 });
      const cron = { "x-connector": "cron-connector" };
      expect((await request(inventory.url, { method: "POST", headers: cron })).body.stores).toEqual([]);
      await reserve({ orderId: "o-low", store: "store042", items: [{ sku: "MILK-1L", quantity: 1 }] });
      expect((await request(inventory.url, { method: "POST", headers: cron })).body.stores).toEqual([
        { store: "store042", items: [{ sku: "MILK-1L", quantity: 2, lowStockThreshold: 2 }] },
      ]);
    });
  });

  describe("routes", () => {
    it.each([
      ["DELETE", "/", 405, "GET, POST"],
      ["PATCH", "/", 405, "GET, POST"],
      ["GET", "/stock", 405, "PUT"],
      ["POST", "/stock", 405, "PUT"],
      ["GET", "/orders/42", 404, null],
      ["PUT", "/stock/extra", 404, null],
    ])("answers %s %s with a %i problem", async (method, path, status, allow) => {
      const answer = await request(`${inventory.url}${path}`, { method });
      expect(answer.status).toBe(status);
      expect(answer.contentType).toBe(PROBLEM);
      expect(answer.headers.get("allow")).toBe(allow);
    });
  });
});
