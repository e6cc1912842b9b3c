import type { Queryable } from "@coffee-edge/node18-typescript/store";
import { dayCounts } from "./shot-counts.js";

/** What the central dashboard receives for one local day. */
export interface UsageRollup {
  readonly date: string;
  readonly stores: ReadonlyArray<{
    readonly store: string;
    readonly machines: ReadonlyArray<{ readonly machine: string; readonly count: number }>;
  }>;
}

/** Every machine's count on `day`, grouped by store (a day without shots gives `stores: []`). */
export async function usageRollup(db: Queryable, day: string): Promise<UsageRollup> {
  const stores: Array<{ store: string; machines: Array<{ machine: string; count: number }> }> = [];
  for (const { store, machine, count } of await dayCounts(db, day)) {
    let entry = stores[stores.length - 1];
    if (entry?.store !== store) {
      entry = { store, machines: [] };
      stores.push(entry);
    }
    entry.machines.push({ machine, count });
  }
  return { date: day, stores };
}

/**
 * Makes `day`'s rollup due, and every day from `since` to `day` that has counts but no rollup yet (a
 * night the function missed). Days already known keep their state: a delivered rollup stays delivered.
 */
export async function scheduleRollups(db: Queryable, since: string, day: string, nowIso: string): Promise<void> {
  await db.run("INSERT INTO espresso_rollups (day, created_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING", [
    day,
    nowIso,
  ]);
  // The WHERE clause is also what lets SQLite parse ON CONFLICT after a SELECT.
  await db.run(
    `INSERT INTO espresso_rollups (day, created_at)
     SELECT DISTINCT day, $3 FROM espresso_daily_counts WHERE day >= $1 AND day <= $2
     ON CONFLICT (day) DO NOTHING`,
    [since, day, nowIso],
  );
}

export async function isDelivered(db: Queryable, day: string): Promise<boolean> {
  const row = await db.get<{ delivered_at: string | null }>(
    "SELECT delivered_at FROM espresso_rollups WHERE day = $1",
    [day],
  );
  return row?.delivered_at != null;
}

/** Due rollups up to `day`, oldest first: an outage's backlog reaches the dashboard in order. */
export async function dueRollups(db: Queryable, day: string, limit: number): Promise<string[]> {
  const rows = await db.all<{ day: string }>(
    `SELECT day FROM espresso_rollups WHERE delivered_at IS NULL AND day <= $1 ORDER BY day LIMIT ${Math.trunc(limit)}`,
    [day],
  );
  return rows.map((row) => row.day);
}

/**
 * Takes a due rollup for this run until `untilIso`, so two overlapping cron runs (two replicas) do not
 * both send it. A claim left by a run that died expires; false when delivered or claimed by another run.
 */
export async function claimRollup(db: Queryable, day: string, nowIso: string, untilIso: string): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE espresso_rollups SET claimed_until = $3, attempts = attempts + 1
     WHERE day = $1 AND delivered_at IS NULL AND (claimed_until IS NULL OR claimed_until < $2)`,
    [day, nowIso, untilIso],
  );
  return changes === 1;
}

export async function markRollupDelivered(db: Queryable, day: string, status: number, nowIso: string): Promise<void> {
  await db.run("UPDATE espresso_rollups SET delivered_at = $3, last_status = $2, claimed_until = NULL WHERE day = $1", [
    day,
    status,
    nowIso,
  ]);
}

export async function releaseRollup(db: Queryable, day: string, status: number | null): Promise<void> {
  await db.run("UPDATE espresso_rollups SET claimed_until = NULL, last_status = $2 WHERE day = $1", [day, status]);
}
