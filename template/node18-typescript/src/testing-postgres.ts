import { randomBytes } from "node:crypto";
import type { PostgresDriver } from "./kit/store/types.js";

export interface TestPostgres {
  /** A `postgres://` URL of a database created for this test run alone. */
  readonly url: string;
  /** Drops the database (closing what is still connected to it). */
  drop(): Promise<void>;
}

export type TestPostgresResult = { readonly database: TestPostgres } | { readonly skipReason: string };

const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";

/**
 * Creates a throw-away database on the PostgreSQL named by `TEST_POSTGRES_URL` (default: the local
 * service on 127.0.0.1:5432, user postgres, trust auth). Where none answers, the result says why so the
 * suite can skip loudly; with `CI=true` a missing PostgreSQL is an error, never a skip.
 */
export async function createTestPostgres(driver: PostgresDriver): Promise<TestPostgresResult> {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? DEFAULT_ADMIN_URL;
  const admin = new driver.Pool({ connectionString: adminUrl, max: 1, connectionTimeoutMillis: 3000 } as never);
  admin.on("error", () => undefined);
  const name = `coffee_edge_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    const reason = `no PostgreSQL at ${adminUrl.replace(/:[^:@/]*@/, ":***@")} (${(error as Error).message})`;
    if (process.env.CI === "true") throw new Error(`CI needs PostgreSQL: ${reason}`);
    console.warn(`\n*** PostgreSQL tests SKIPPED: ${reason}; set TEST_POSTGRES_URL to run them ***\n`);
    return { skipReason: reason };
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    database: {
      url: url.href,
      async drop() {
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
      },
    },
  };
}
