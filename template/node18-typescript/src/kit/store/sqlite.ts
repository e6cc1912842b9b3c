import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { toPositional } from "./placeholders.js";
import type { Queryable, SqliteDatabase, SqliteDriver, SqliteStatement, SqlValue, Store } from "./types.js";

/** How long a writer waits for another process's write lock (a second replica, the gateway) before failing. */
const BUSY_TIMEOUT_MS = 5000;

interface Prepared {
  statement: SqliteStatement;
  order: number[];
}

/**
 * SQLite through better-sqlite3, in WAL mode so readers never wait for the writer. better-sqlite3 is
 * synchronous on one connection, so the store runs one query or transaction at a time, in arrival order:
 * a transaction's `await`s can never let another request's statements slip inside it.
 */
/** One connection per file in a process: see openSqliteStore. */
interface Shared {
  db: SqliteDatabase;
  direct: Queryable;
  serial: <T>(work: () => T | Promise<T>) => Promise<T>;
  users: number;
}

const openFiles = new Map<string, Shared>();

/**
 * SQLite through better-sqlite3, in WAL mode so readers never wait for the writer. better-sqlite3 is
 * synchronous on one connection, so the store runs one query or transaction at a time, in arrival order:
 * a transaction's `await`s can never let another request's statements slip inside it. Stores opened on
 * the same file in one process share that connection and that order; two connections would deadlock,
 * because SQLite's busy wait blocks the very event loop the lock holder needs to commit.
 */
export function openSqliteStore(Driver: SqliteDriver, filename: string): Store {
  const key = filename === ":memory:" ? `${filename}#${openFiles.size}` : resolve(filename);
  let shared = openFiles.get(key);
  if (!shared) {
    shared = connect(Driver, filename);
    openFiles.set(key, shared);
  }
  shared.users++;
  const { db, direct, serial } = shared;
  let closed = false;

  return {
    dialect: "sqlite",
    location: filename,
    all: (sql, params) => serial(() => direct.all(sql, params)),
    get: (sql, params) => serial(() => direct.get(sql, params)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    transaction: (work) =>
      serial(async () => {
        db.exec("BEGIN IMMEDIATE");
        try {
          const result = await work(direct);
          db.exec("COMMIT");
          return result;
        } catch (error) {
          // SQLite may already have rolled back (e.g. after SQLITE_FULL); the original error is what matters.
          try {
            db.exec("ROLLBACK");
          } catch {}
          throw error;
        }
      }),
    close: () =>
      serial(() => {
        if (closed) return;
        closed = true;
        const current = openFiles.get(key);
        if (current && --current.users === 0) {
          openFiles.delete(key);
          db.close();
        }
      }),
  };
}

function connect(Driver: SqliteDriver, filename: string): Shared {
  if (filename !== ":memory:") mkdirSync(dirname(filename), { recursive: true });
  const db = new Driver(filename, { timeout: BUSY_TIMEOUT_MS });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => T | Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.catch(() => undefined);
    return result;
  };
  return { db, direct: directQueries(db, new Map()), serial, users: 0 };
}

function directQueries(db: SqliteDatabase, cache: Map<string, Prepared>): Queryable {
  const prepare = (sql: string): Prepared => {
    let prepared = cache.get(sql);
    if (!prepared) {
      const { sql: positional, order } = toPositional(sql);
      prepared = { statement: db.prepare(positional), order };
      cache.set(sql, prepared);
    }
    return prepared;
  };
  const bind = ({ order }: Prepared, params: readonly SqlValue[] = []) => order.map((index) => params[index]);
  return {
    dialect: "sqlite",
    async all<Row>(sql: string, params?: readonly SqlValue[]) {
      const prepared = prepare(sql);
      return prepared.statement.all(...bind(prepared, params)) as Row[];
    },
    async get<Row>(sql: string, params?: readonly SqlValue[]) {
      const prepared = prepare(sql);
      return prepared.statement.all(...bind(prepared, params))[0] as Row | undefined;
    },
    async run(sql, params) {
      const prepared = prepare(sql);
      const bound = bind(prepared, params);
      // A statement with RETURNING is a reader: run it with all() so its rows are consumed.
      if (prepared.statement.reader) return { changes: prepared.statement.all(...bound).length };
      return { changes: Number(prepared.statement.run(...bound).changes) };
    },
  };
}
