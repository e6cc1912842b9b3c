/** Values a statement binds: the common ground of SQLite and PostgreSQL (booleans are stored as 0/1). */
export type SqlValue = string | number | bigint | null | Buffer;

export type Dialect = "sqlite" | "postgres";

/**
 * What a function runs SQL through. Statements use PostgreSQL's `$1, $2` placeholders on both databases;
 * write SQL both understand (`ON CONFLICT … DO UPDATE`, `RETURNING`, TEXT timestamps in ISO 8601, INTEGER
 * for counts and money in minor units) or branch on `dialect` for the rest.
 */
export interface Queryable {
  readonly dialect: Dialect;
  /** Every row the statement returns. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  get<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  /** Runs a statement for its effect; `changes` is the number of rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface Store extends Queryable {
  /**
   * Runs `work` in one transaction that takes the write lock at once (SQLite `BEGIN IMMEDIATE`;
   * PostgreSQL, READ COMMITTED, retried on a serialization failure or deadlock). Everything inside must go
   * through `tx`: on SQLite the store runs one thing at a time, and a query on the store itself would wait
   * for this very transaction.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Where the data lives, with any password removed: safe to log. */
  readonly location: string;
  close(): Promise<void>;
}

/** A schema step, applied once per database, in order, recorded in `schema_migrations` under its id. */
export interface Migration {
  /** Unique across every function sharing the database, e.g. `payment/001-payments`. */
  readonly id: string;
  /** The statements, the same for both databases, or one text per dialect. */
  readonly sql: string | { readonly sqlite: string; readonly postgres: string };
}

// The drivers are passed in by the function (collaborators, not imports), so a function that keeps no
// state carries neither native SQLite nor pg. These are the parts of better-sqlite3 and pg the store uses.

export interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number | bigint };
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  close(): unknown;
}

/** better-sqlite3's default export. */
export type SqliteDriver = new (filename: string, options?: { timeout?: number }) => SqliteDatabase;

export interface PgResult {
  rows: unknown[];
  rowCount: number | null;
}

export interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  release(error?: Error | boolean): void;
}

export interface PgPool {
  query(text: string, values?: unknown[]): Promise<PgResult>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

export interface PgPoolConfig {
  connectionString: string;
  max?: number;
  types?: { getTypeParser: (oid: number, format?: "text" | "binary") => (value: string) => unknown };
}

/** pg's default export (`import pg from "pg"`), with its type parsers. */
export interface PostgresDriver {
  Pool: new (config: PgPoolConfig) => PgPool;
  types: { getTypeParser: (oid: number, format?: "text" | "binary") => unknown };
}

export interface Drivers {
  readonly sqlite?: SqliteDriver;
  readonly postgres?: PostgresDriver;
}
