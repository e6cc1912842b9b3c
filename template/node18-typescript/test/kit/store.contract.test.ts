import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation, type Migration, openStore, type Store } from "../../src/kit/store/index.js";
import { createTestPostgres, type TestPostgres } from "../../src/testing-postgres.js";

// One contract, two databases: every behaviour a function relies on is checked on SQLite and PostgreSQL.

const migrations: Migration[] = [
  {
    id: "contract/001-items",
    sql: `CREATE TABLE items (
      id TEXT PRIMARY KEY,
      quantity INTEGER NOT NULL CHECK (quantity >= 0),
      note TEXT
    );
    CREATE INDEX items_quantity ON items (quantity)`,
  },
  {
    id: "contract/002-dialect",
    sql: {
      sqlite: "CREATE TABLE blobs (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB)",
      postgres: "CREATE TABLE blobs (id SERIAL PRIMARY KEY, data BYTEA)",
    },
  },
];

const drivers = { sqlite: Database, postgres: pg };
const sqliteDir = mkdtempSync(path.join(tmpdir(), "store-contract-"));
const postgres = await createTestPostgres(pg);
afterAll(async () => {
  rmSync(sqliteDir, { recursive: true, force: true });
  if ("database" in postgres) await postgres.database.drop();
});

const targets: Array<{ name: string; url: () => string }> = [
  { name: "SQLite", url: () => `sqlite:${path.join(sqliteDir, "nested", "contract.db")}` },
];
if ("database" in postgres) {
  const database: TestPostgres = postgres.database;
  targets.push({ name: "PostgreSQL", url: () => database.url });
}

describe.each(targets)("the store on $name", ({ url }) => {
  let store: Store;
  const open = () => openStore({ functionName: "contract", drivers, migrations, env: { DATABASE_URL: url() } });

  beforeAll(async () => {
    store = await open();
  });
  afterAll(() => store.close());

  it("creates the schema once: opening again, even twice at the same time, applies nothing new", async () => {
    const [a, b] = await Promise.all([open(), open()]);
    const rows = await store.all<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id");
    expect(rows.map((row) => row.id)).toEqual(["contract/001-items", "contract/002-dialect"]);
    await Promise.all([a.close(), b.close()]);
  });

  it("binds $n placeholders, repeated and out of order, and returns numbers as numbers", async () => {
    await store.run("INSERT INTO items (id, quantity, note) VALUES ($2, $1, $2)", [7, "a"]);
    const row = await store.get<{ id: string; quantity: number; note: string }>(
      "SELECT id, quantity, note FROM items WHERE id = $1",
      ["a"],
    );
    expect(row).toEqual({ id: "a", quantity: 7, note: "a" });
    const count = await store.get<{ n: number }>("SELECT COUNT(*) AS n FROM items");
    expect(count?.n).toBe(1);
    expect(await store.get("SELECT id FROM items WHERE id = $1", ["missing"])).toBeUndefined();
  });

  it("reports changed rows, also for RETURNING and upserts", async () => {
    const upsert =
      "INSERT INTO items (id, quantity) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET quantity = items.quantity + excluded.quantity";
    expect(await store.run(upsert, ["b", 1])).toEqual({ changes: 1 });
    expect(await store.run(upsert, ["b", 2])).toEqual({ changes: 1 });
    expect(await store.all("UPDATE items SET quantity = quantity - 1 WHERE id = $1 RETURNING quantity", ["b"])).toEqual(
      [{ quantity: 2 }],
    );
    expect(await store.run("UPDATE items SET quantity = 0 WHERE id = $1", ["nobody"])).toEqual({ changes: 0 });
  });

  it("recognises unique violations on both databases", async () => {
    await store.run("INSERT INTO items (id, quantity) VALUES ($1, 1)", ["u"]);
    const failure = await store.run("INSERT INTO items (id, quantity) VALUES ($1, 1)", ["u"]).catch((e) => e);
    expect(isUniqueViolation(failure)).toBe(true);
    expect(isUniqueViolation(new Error("other"))).toBe(false);
  });

  it("commits a transaction's work, and rolls all of it back when the work throws", async () => {
    await store.transaction(async (tx) => {
      await tx.run("INSERT INTO items (id, quantity) VALUES ($1, 5)", ["t1"]);
    });
    await expect(
      store.transaction(async (tx) => {
        await tx.run("INSERT INTO items (id, quantity) VALUES ($1, 5)", ["t2"]);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const ids = await store.all<{ id: string }>("SELECT id FROM items WHERE id IN ($1, $2) ORDER BY id", ["t1", "t2"]);
    expect(ids).toEqual([{ id: "t1" }]);
  });

  it("never takes more than there is under 100 concurrent conditional decrements", async () => {
    await store.run("INSERT INTO items (id, quantity) VALUES ($1, 30)", ["hot"]);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        store.transaction(async (tx) => {
          const { changes } = await tx.run("UPDATE items SET quantity = quantity - 1 WHERE id = $1 AND quantity >= 1", [
            "hot",
          ]);
          return changes;
        }),
      ),
    );
    expect(results.filter((changes) => changes === 1)).toHaveLength(30);
    expect(await store.get("SELECT quantity FROM items WHERE id = $1", ["hot"])).toEqual({ quantity: 0 });
  });

  it("stores and returns binary data", async () => {
    const data = Buffer.from([0, 1, 2, 255]);
    await store.run("INSERT INTO blobs (data) VALUES ($1)", [data]);
    const row = await store.get<{ data: Buffer }>("SELECT data FROM blobs ORDER BY id DESC LIMIT 1");
    expect(Buffer.from(row?.data ?? [])).toEqual(data);
  });
});

describe("DATABASE_URL", () => {
  it("names the variable and hides the password when it is wrong", async () => {
    const failure = await openStore({
      functionName: "x",
      drivers,
      migrations,
      env: { DATABASE_URL: "mysql://root:hunter2@db/x" },
    }).catch((error: Error) => error);
    expect(String(failure)).toMatch(/DATABASE_URL/);
    expect(String(failure)).not.toMatch(/hunter2/);
  });

  it("defaults to a SQLite file named after the function under data/", async () => {
    const { databaseUrl } = await import("../../src/kit/store/index.js");
    expect(databaseUrl({}, "payment")).toBe("sqlite:data/payment.db");
  });
});
