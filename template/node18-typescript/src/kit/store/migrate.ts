import type { Migration, Store } from "./types.js";

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  id TEXT PRIMARY KEY,
  applied_at TEXT NOT NULL
)`;

/** One constant key for pg_advisory_xact_lock: every process migrating the database waits its turn. */
const MIGRATION_LOCK_KEY = 7_307_746_543;

/**
 * Applies the migrations not yet recorded, in order, in one transaction: two processes starting at once
 * (two replicas, or functions sharing a database) apply each step exactly once. Running it again is a no-op.
 */
export async function migrate(store: Store, migrations: readonly Migration[]): Promise<string[]> {
  assertUniqueIds(migrations);
  return store.transaction(async (tx) => {
    if (tx.dialect === "postgres") await tx.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.run(LEDGER);
    const rows = await tx.all<{ id: string }>("SELECT id FROM schema_migrations");
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of migrations) {
      if (done.has(migration.id)) continue;
      const sql = typeof migration.sql === "string" ? migration.sql : migration.sql[tx.dialect];
      for (const statement of splitStatements(sql)) await tx.run(statement);
      await tx.run("INSERT INTO schema_migrations (id, applied_at) VALUES ($1, $2)", [
        migration.id,
        new Date().toISOString(),
      ]);
      applied.push(migration.id);
    }
    return applied;
  });
}

/** Migrations hold several statements; both drivers prepare one at a time. Our DDL has no `;` in literals. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(";")
    .map((statement) => statement.trim())
    .filter((statement) => statement !== "");
}

function assertUniqueIds(migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const { id } of migrations) {
    if (seen.has(id)) throw new Error(`migration id ${id} is used twice`);
    seen.add(id);
  }
}
