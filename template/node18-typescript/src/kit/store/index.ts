import type { Env } from "../env.js";
import { databaseUrl } from "./database-url.js";
import { migrate } from "./migrate.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Drivers, Migration, Store } from "./types.js";
import { parseDatabaseUrl, redactUrl } from "./url.js";

export { DATABASE_URL_SECRET, databaseUrl } from "./database-url.js";
export { isUniqueViolation } from "./errors.js";
export { migrate } from "./migrate.js";
export { openOnFirstUse } from "./open-on-first-use.js";
export type * from "./types.js";
export { parseDatabaseUrl, redactUrl } from "./url.js";

export interface OpenStoreOptions {
  /** Names the default SQLite file (`data/<name>.db`) and prefixes nothing else. */
  readonly functionName: string;
  /** better-sqlite3 and pg, as the function imports them. */
  readonly drivers: Drivers;
  readonly migrations: readonly Migration[];
  readonly env?: Env;
}

/** Opens the store `databaseUrl` selects (`DATABASE_URL`, the `database-url` secret, or SQLite) and brings its schema up to date. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = databaseUrl(options.env ?? process.env, options.functionName);
  const target = parseDatabaseUrl(url);
  let store: Store;
  if (target.dialect === "sqlite") {
    if (!options.drivers.sqlite) throw new Error("DATABASE_URL selects SQLite but no better-sqlite3 driver was given");
    store = openSqliteStore(options.drivers.sqlite, target.filename);
  } else {
    if (!options.drivers.postgres) throw new Error("DATABASE_URL selects PostgreSQL but no pg driver was given");
    store = openPostgresStore(options.drivers.postgres, target.connectionString, redactUrl(url));
  }
  try {
    await migrate(store, options.migrations);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}
