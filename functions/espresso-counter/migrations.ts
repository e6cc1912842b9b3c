import type { Migration } from "@coffee-edge/node18-typescript/store";

/**
 * The schema, the same SQL on SQLite and PostgreSQL. Days are local `YYYY-MM-DD` text (they sort and
 * compare as text); instants are ISO 8601 text. Tables are prefixed because functions may share a database.
 */
export const migrations: readonly Migration[] = [
  {
    id: "espresso-counter/001-counts",
    sql: `
      CREATE TABLE IF NOT EXISTS espresso_daily_counts (
        store TEXT NOT NULL,
        machine TEXT NOT NULL,
        day TEXT NOT NULL,
        shot_count INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (store, machine, day)
      );
      CREATE INDEX IF NOT EXISTS espresso_daily_counts_by_day ON espresso_daily_counts (day);
      CREATE TABLE IF NOT EXISTS espresso_seen_events (
        store TEXT NOT NULL,
        machine TEXT NOT NULL,
        day TEXT NOT NULL,
        event_id TEXT NOT NULL,
        shots INTEGER NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (store, machine, day, event_id)
      );
      CREATE INDEX IF NOT EXISTS espresso_seen_events_by_day ON espresso_seen_events (day)
    `,
  },
  {
    id: "espresso-counter/002-alerts-and-rollups",
    sql: `
      CREATE TABLE IF NOT EXISTS espresso_alerts (
        store TEXT NOT NULL,
        machine TEXT NOT NULL,
        day TEXT NOT NULL,
        shot_count INTEGER NOT NULL,
        threshold INTEGER NOT NULL,
        reached_at TEXT NOT NULL,
        delivered_at TEXT,
        PRIMARY KEY (store, machine, day)
      );
      CREATE TABLE IF NOT EXISTS espresso_rollups (
        day TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        claimed_until TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status INTEGER,
        delivered_at TEXT
      )
    `,
  },
];
