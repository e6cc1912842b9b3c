import type Database from "better-sqlite3";

/** Bumped when the table changes shape; a file from a newer gateway is refused rather than misread. */
export const QUEUE_SCHEMA_VERSION = 1;

/**
 * One row per accepted call, kept through its whole life:
 * - `state` is what `recent()` shows: queued | running | retrying | done | failed;
 * - the job is in its callback phase once `result_status` is set (the result is stored BEFORE the callback is
 *   attempted, so a crash between the two re-sends the callback instead of re-invoking the function);
 * - `attempts` counts invocations that got an outcome, `callback_attempts` callback requests that did;
 * - `next_attempt_at` (epoch ms) holds back a job waiting for its retry.
 * `seq` orders jobs by acceptance: the worker claims them first in, first out.
 */
const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS async_jobs (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id           TEXT    NOT NULL,
  function_name     TEXT    NOT NULL,
  method            TEXT    NOT NULL,
  path              TEXT    NOT NULL,
  query             TEXT    NOT NULL,
  headers           TEXT    NOT NULL,
  body              BLOB    NOT NULL,
  callback_url      TEXT,
  accepted_at       INTEGER NOT NULL,
  state             TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'retrying', 'done', 'failed')),
  next_attempt_at   INTEGER NOT NULL,
  attempts          INTEGER NOT NULL DEFAULT 0,
  result_status     INTEGER,
  result_headers    TEXT,
  result_body       BLOB,
  duration_seconds  REAL,
  invoke_failed     INTEGER NOT NULL DEFAULT 0,
  callback_attempts INTEGER NOT NULL DEFAULT 0,
  callback_status   INTEGER,
  finished_at       INTEGER,
  last_error        TEXT
);
CREATE INDEX IF NOT EXISTS async_jobs_waiting ON async_jobs (seq) WHERE state IN ('queued', 'retrying');
CREATE INDEX IF NOT EXISTS async_jobs_finished ON async_jobs (finished_at, seq) WHERE finished_at IS NOT NULL;
`;

/** Creates the schema in a new file, accepts the current one, refuses any other version. */
export function ensureQueueSchema(db: Database.Database, file: string): void {
  const version = db.pragma("user_version", { simple: true });
  if (version === QUEUE_SCHEMA_VERSION) return;
  if (version !== 0) {
    throw new Error(
      `async queue ${file} has schema version ${String(version)}; this gateway reads version ${QUEUE_SCHEMA_VERSION}`,
    );
  }
  db.transaction(() => {
    db.exec(CREATE_TABLES);
    db.pragma(`user_version = ${QUEUE_SCHEMA_VERSION}`);
  })();
}
