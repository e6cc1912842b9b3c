import type Database from "better-sqlite3";

/** Bumped when the table changes shape: a file from a newer connector is refused rather than misread. */
export const MESSAGE_QUEUE_SCHEMA_VERSION = 1;

/**
 * One row per (message, function), deleted once the delivery is finished:
 * - `id` orders deliveries by arrival (a rowid is always above every rowid still in the table), which is the
 *   order the dispatcher keeps per (topic, fn);
 * - the payload and correlation data are BLOBs, never JSON: the insert runs on the MQTT path, once per message;
 * - `attempts` counts invocations that got an outcome, `next_attempt_at` (epoch ms) holds back a retry;
 * - `dead_letter` (JSON of the reason) is set once the function is done with: the row then only awaits its
 *   dead letter and is never invoked again.
 * There is no "running" state on disk: one process owns the file, so a delivery in progress when it died is
 * simply pending when the file is opened again.
 */
const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS deliveries (
  id               INTEGER PRIMARY KEY,
  topic            TEXT    NOT NULL,
  fn               TEXT    NOT NULL,
  payload          BLOB    NOT NULL,
  received_at      INTEGER NOT NULL,
  response_topic   TEXT,
  correlation_data BLOB,
  content_type     TEXT,
  user_properties  TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL DEFAULT 0,
  dead_letter      TEXT
);
`;

/** Creates the schema in a new file, accepts the current one, refuses any other version. */
export function ensureMessageQueueSchema(db: Database.Database, file: string): void {
  const version = db.pragma("user_version", { simple: true });
  if (version === MESSAGE_QUEUE_SCHEMA_VERSION) return;
  if (version !== 0) {
    throw new Error(
      `message queue ${file} has schema version ${String(version)}; this connector reads version ${MESSAGE_QUEUE_SCHEMA_VERSION}`,
    );
  }
  db.transaction(() => {
    db.exec(CREATE_TABLES);
    db.pragma(`user_version = ${MESSAGE_QUEUE_SCHEMA_VERSION}`);
  })();
}
