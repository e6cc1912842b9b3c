import type { Migration } from "@coffee-edge/node18-typescript/store";

/**
 * Tables are prefixed `fridge_` because functions may share one database. Timestamps are ISO 8601 TEXT in
 * UTC (`toISOString`), so they compare correctly as text on both databases; temperatures are °C.
 */
export const migrations: readonly Migration[] = [
  {
    id: "fridge-temperature/001-state-readings-alerts",
    sql: `
      CREATE TABLE fridge_states (
        store_id TEXT NOT NULL,
        fridge_id TEXT NOT NULL,
        status TEXT,
        status_since TEXT,
        breach_since TEXT,
        incident_id TEXT,
        last_reading_at TEXT,
        last_temp_c DOUBLE PRECISION,
        offline_incident_id TEXT,
        offline_since TEXT,
        PRIMARY KEY (store_id, fridge_id)
      );
      CREATE INDEX fridge_states_last_reading ON fridge_states (last_reading_at);

      CREATE TABLE fridge_readings (
        store_id TEXT NOT NULL,
        fridge_id TEXT NOT NULL,
        at TEXT NOT NULL,
        temp_c DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (store_id, fridge_id, at)
      );

      CREATE TABLE fridge_alerts (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        store_id TEXT NOT NULL,
        fridge_id TEXT NOT NULL,
        status TEXT NOT NULL,
        temp_c DOUBLE PRECISION,
        at TEXT NOT NULL,
        last_seen TEXT,
        created_at TEXT NOT NULL,
        delivery TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_status INTEGER,
        delivered_at TEXT
      );
      CREATE INDEX fridge_alerts_delivery ON fridge_alerts (delivery, created_at)
    `,
  },
];
