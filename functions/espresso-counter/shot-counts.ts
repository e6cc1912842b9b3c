import type { Queryable, Store } from "@coffee-edge/node18-typescript/store";
import type { MachineRef } from "./topic.js";

/** One shot event placed on its machine's local day. */
export interface DatedShot extends MachineRef {
  readonly id: string | undefined;
  readonly shots: number;
  readonly day: string;
  /** ISO instant, kept with the event and on the alert. */
  readonly at: string;
}

export interface CountOutcome {
  /** The machine's count for the day after this event (unchanged for a duplicate). */
  readonly count: number;
  /** The event id was already counted for this machine on this day. */
  readonly duplicate: boolean;
  /** This event reached the threshold: the day's one alert was recorded now and is this request's to deliver. */
  readonly alertCreated: boolean;
}

/**
 * Counts a shot event in one transaction: remember its id (insert-or-ignore: a second insert of the same
 * id for that machine and day changes nothing, so it is a duplicate), add its shots with an atomic
 * upsert, and record the day's alert when the count has reached the threshold. The alert row's key
 * (store, machine, day) makes it one per machine per day, however many requests race past the threshold.
 */
export async function countShot(store: Store, shot: DatedShot, threshold: number): Promise<CountOutcome> {
  return store.transaction(async (tx) => {
    if (shot.id !== undefined) {
      const fresh = await tx.run(
        `INSERT INTO espresso_seen_events (store, machine, day, event_id, shots, seen_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (store, machine, day, event_id) DO NOTHING`,
        [shot.store, shot.machine, shot.day, shot.id, shot.shots, shot.at],
      );
      if (fresh.changes === 0) {
        return { count: await countOn(tx, shot, shot.day), duplicate: true, alertCreated: false };
      }
    }
    const row = await tx.get<{ shot_count: number }>(
      `INSERT INTO espresso_daily_counts (store, machine, day, shot_count, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (store, machine, day)
       DO UPDATE SET shot_count = espresso_daily_counts.shot_count + excluded.shot_count, updated_at = excluded.updated_at
       RETURNING shot_count`,
      [shot.store, shot.machine, shot.day, shot.shots, shot.at],
    );
    const count = Number(row?.shot_count ?? 0);
    let alertCreated = false;
    if (count >= threshold) {
      // `>=` rather than "crossed with this event": if DAILY_THRESHOLD is lowered during the day, the next
      // shot still raises the day's one alert.
      const inserted = await tx.run(
        `INSERT INTO espresso_alerts (store, machine, day, shot_count, threshold, reached_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (store, machine, day) DO NOTHING`,
        [shot.store, shot.machine, shot.day, count, threshold, shot.at],
      );
      alertCreated = inserted.changes === 1;
    }
    return { count, duplicate: false, alertCreated };
  });
}

/** One machine's count on one day (0 when it pulled no shot). */
export async function countOn(db: Queryable, ref: MachineRef, day: string): Promise<number> {
  const row = await db.get<{ shot_count: number }>(
    "SELECT shot_count FROM espresso_daily_counts WHERE store = $1 AND machine = $2 AND day = $3",
    [ref.store, ref.machine, day],
  );
  return Number(row?.shot_count ?? 0);
}

export interface MachineCount {
  readonly store: string;
  readonly machine: string;
  readonly count: number;
}

/** Every machine of one store with shots on `day`, by machine id. */
export async function storeCounts(db: Queryable, store: string, day: string): Promise<MachineCount[]> {
  const rows = await db.all<{ store: string; machine: string; shot_count: number }>(
    "SELECT store, machine, shot_count FROM espresso_daily_counts WHERE store = $1 AND day = $2",
    [store, day],
  );
  return sortByMachine(rows.map(toMachineCount));
}

/** Every machine of every store with shots on `day`, by store then machine id. */
export async function dayCounts(db: Queryable, day: string): Promise<MachineCount[]> {
  const rows = await db.all<{ store: string; machine: string; shot_count: number }>(
    "SELECT store, machine, shot_count FROM espresso_daily_counts WHERE day = $1",
    [day],
  );
  return sortByMachine(rows.map(toMachineCount));
}

function toMachineCount(row: { store: string; machine: string; shot_count: number }): MachineCount {
  return { store: row.store, machine: row.machine, count: Number(row.shot_count) };
}

/** Sorted here, not by ORDER BY: PostgreSQL's collation and SQLite's byte order disagree on mixed case. */
function sortByMachine(counts: MachineCount[]): MachineCount[] {
  const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return counts.sort((a, b) => byCodeUnits(a.store, b.store) || byCodeUnits(a.machine, b.machine));
}

/** Drops remembered event ids of days before `before`: duplicates arrive within minutes, not months. */
export async function forgetEventsBefore(db: Queryable, before: string): Promise<number> {
  const { changes } = await db.run("DELETE FROM espresso_seen_events WHERE day < $1", [before]);
  return changes;
}
