import type Database from "better-sqlite3";

/** Bumped when the table changes shape: a file from a newer broker is refused rather than misread. */
export const OUTBOX_SCHEMA_VERSION = 1;

/**
 * One row per message waiting for the central broker's PUBACK:
 * - `seq` (AUTOINCREMENT) only ever grows, even once the table has been emptied, so the forwarder's cursor
 *   ("everything above seq N is new") never meets a reused number;
 * - `size` (topic bytes + payload bytes) is stored so the byte bound is kept without re-reading payloads;
 * - the topic is the LOCAL one: the prefix is applied when sending, so a changed prefix applies to what waits.
 */
const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS outbox (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  topic    TEXT    NOT NULL,
  payload  BLOB    NOT NULL,
  qos      INTEGER NOT NULL,
  size     INTEGER NOT NULL,
  added_at INTEGER NOT NULL
);
`;

/** Creates the schema in a new file, accepts the current one, refuses any other version. */
export function ensureOutboxSchema(db: Database.Database, file: string): void {
  const version = db.pragma("user_version", { simple: true });
  if (version === OUTBOX_SCHEMA_VERSION) return;
  if (version !== 0) {
    throw new Error(
      `bridge outbox ${file} has schema version ${String(version)}; this broker reads version ${OUTBOX_SCHEMA_VERSION}`,
    );
  }
  db.transaction(() => {
    db.exec(CREATE_TABLES);
    db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION}`);
  })();
}
