import type { PgClient, PgPool, PostgresDriver, Queryable, SqlValue, Store } from "./types.js";

const INT8_OID = 20;
/** Serialization failure and deadlock: the transaction did nothing and may simply run again. */
const RETRYABLE_CODES = new Set(["40001", "40P01"]);
const MAX_TRANSACTION_ATTEMPTS = 5;

/**
 * PostgreSQL through a pg pool. COUNT(*) and other int8 results come back as numbers, as on SQLite
 * (our counts stay far below 2^53), so a handler reads the same row shapes from both.
 */
export function openPostgresStore(driver: PostgresDriver, connectionString: string, location: string): Store {
  const pool: PgPool = new driver.Pool({
    connectionString,
    max: 10,
    types: {
      getTypeParser: (oid, format) =>
        oid === INT8_OID ? Number : (driver.types.getTypeParser(oid, format) as (value: string) => unknown),
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  const onPool = queries((sql, params) => pool.query(sql, params as unknown[] | undefined));

  return {
    ...onPool,
    location,
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          return await inTransaction(client, work);
        } catch (error) {
          if (attempt >= MAX_TRANSACTION_ATTEMPTS || !RETRYABLE_CODES.has(codeOf(error))) throw error;
        } finally {
          client.release();
        }
      }
    },
    close: () => pool.end(),
  };
}

async function inTransaction<T>(client: PgClient, work: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work(queries((sql, params) => client.query(sql, params as unknown[] | undefined)));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

function queries(
  execute: (sql: string, params?: readonly SqlValue[]) => Promise<{ rows: unknown[]; rowCount: number | null }>,
): Queryable {
  return {
    dialect: "postgres",
    all: async <Row>(sql: string, params?: readonly SqlValue[]) => (await execute(sql, params)).rows as Row[],
    get: async <Row>(sql: string, params?: readonly SqlValue[]) =>
      (await execute(sql, params)).rows[0] as Row | undefined,
    run: async (sql, params) => ({ changes: (await execute(sql, params)).rowCount ?? 0 }),
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "";
}
