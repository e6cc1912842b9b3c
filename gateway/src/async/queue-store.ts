import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { AcceptedCall, InvokeResult } from "./accepted-call.js";
import type { AsyncJobState, AsyncJobView, AsyncQueue, ClaimedJob, JobEnd } from "./async-queue.js";
import { createGroupCommit } from "./group-commit.js";
import { ensureQueueSchema } from "./queue-schema.js";

export type {
  AsyncJobState,
  AsyncJobView,
  AsyncQueue,
  AsyncQueueStats,
  CallbackRetry,
  ClaimedJob,
  InvocationRecord,
  InvokeRetry,
  JobEnd,
  RecordedInvocation,
} from "./async-queue.js";

export interface AsyncQueueOptions {
  readonly file: string;
  /** How many finished jobs `recent()` can still show; older ones are deleted. Default 1000. */
  readonly keepFinished?: number;
}

const DEFAULT_KEEP_FINISHED = 1000;
/** A checkpointed WAL is truncated back to this size, so one burst of big bodies does not keep the disk. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

interface JobRow {
  seq: number;
  call_id: string;
  function_name: string;
  method: string;
  path: string;
  query: string;
  headers: string;
  body: Buffer;
  callback_url: string | null;
  accepted_at: number;
  attempts: number;
  callback_attempts: number;
  result_status: number | null;
  result_headers: string | null;
  result_body: Buffer | null;
  duration_seconds: number | null;
  invoke_failed: number;
}

interface ViewRow {
  call_id: string;
  function_name: string;
  state: AsyncJobState;
  attempts: number;
  result_status: number | null;
  callback_url: string | null;
  callback_status: number | null;
  callback_attempts: number;
  accepted_at: number;
  next_attempt_at: number;
  finished_at: number | null;
  last_error: string | null;
}

/**
 * The gateway's durable queue of accepted async calls: one SQLite file in WAL mode with `synchronous = FULL`,
 * so a resolved `accept` survives SIGKILL and power loss. The file is locked exclusively: a second gateway on
 * the same file would otherwise put this one's running jobs back in the queue and run them twice at once.
 */
export function openAsyncQueue(options: AsyncQueueOptions): AsyncQueue {
  const keepFinished = options.keepFinished ?? DEFAULT_KEEP_FINISHED;
  if (!Number.isInteger(keepFinished) || keepFinished < 0) {
    throw new RangeError(`keepFinished must be a whole number >= 0, got ${keepFinished}`);
  }
  const db = openLockedDatabase(options.file);
  const statements = prepareStatements(db);
  const recoveredOnOpen = statements.requeueRunning.run().changes;

  const listeners = new Set<() => void>();
  let acceptedCalls = 0;
  const insertBatch = db.transaction((calls: readonly AcceptedCall[]) => {
    for (const call of calls) statements.insert.run(callToRow(call));
  });
  const acceptBatches = createGroupCommit<AcceptedCall>((calls) => {
    insertBatch(calls);
    acceptedCalls += calls.length;
    for (const listener of listeners) {
      try {
        listener();
      } catch {
        // A listener's failure must not turn a committed accept into a rejected one.
      }
    }
  });

  const claim = db.transaction((now: number, limit: number) => statements.claim.all({ now, limit }) as JobRow[]);
  const finish = db.transaction((jobId: number, end: JobEnd) => {
    statements.finish.run({
      jobId,
      state: end.state,
      finishedAt: end.finishedAt,
      attempts: end.attempts ?? null,
      status: end.status ?? null,
      durationSeconds: end.durationSeconds ?? null,
      callbackAttempts: end.callbackAttempts ?? null,
      callbackStatus: end.callbackStatus ?? null,
      lastError: end.lastError ?? null,
    });
    statements.prune.run({ keep: keepFinished });
  });
  let closed = false;

  return {
    accept(call) {
      if (closed) return Promise.reject(new Error("the async queue is closed"));
      return acceptBatches.add(call);
    },
    onAccepted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    claimDue(now, limit) {
      if (limit <= 0) return [];
      return claim(now, limit)
        .sort((a, b) => a.seq - b.seq)
        .map(rowToClaimedJob);
    },
    nextDueAt() {
      const row = statements.nextDue.get() as { due: number | null };
      return row.due ?? undefined;
    },
    retryInvoke(jobId, retry) {
      statements.retryInvoke.run({ jobId, ...retry });
    },
    recordInvocation(jobId, record) {
      statements.recordInvocation.run({
        jobId,
        attempts: record.attempts,
        status: record.result.status,
        headers: JSON.stringify(record.result.headers),
        body: record.result.body,
        durationSeconds: record.result.durationSeconds,
        exhausted: record.exhausted ? 1 : 0,
        lastError: record.lastError ?? null,
      });
    },
    retryCallback(jobId, retry) {
      statements.retryCallback.run({ jobId, ...retry, callbackStatus: retry.callbackStatus ?? null });
    },
    finish(jobId, end) {
      finish(jobId, end);
    },
    depth() {
      return (statements.depth.get() as { depth: number }).depth;
    },
    recent(limit) {
      return (statements.recent.all({ limit }) as ViewRow[]).map(rowToView);
    },
    stats() {
      return { acceptCommits: acceptBatches.commits, acceptedCalls };
    },
    recoveredOnOpen,
    close() {
      if (closed) return;
      closed = true;
      try {
        acceptBatches.flush();
      } finally {
        listeners.clear();
        db.close();
      }
    },
  };
}

function openLockedDatabase(file: string): Database.Database {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // No busy wait: the only other user of the file would be a second gateway, which must fail at once.
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    // FULL: every commit is fsynced, so a 202 is never answered for a call a power cut could lose.
    db.pragma("synchronous = FULL");
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    ensureQueueSchema(db, file);
    // Take the exclusive lock now rather than at the first write, so a second gateway fails on open.
    db.exec("BEGIN IMMEDIATE; COMMIT");
  } catch (error) {
    db.close();
    if (error instanceof Error && "code" in error && error.code === "SQLITE_BUSY") {
      throw new Error(`async queue ${file} is in use by another process (one gateway owns it)`, { cause: error });
    }
    throw error;
  }
  return db;
}

function prepareStatements(db: Database.Database) {
  const waiting = "state IN ('queued', 'retrying')";
  return {
    requeueRunning: db.prepare("UPDATE async_jobs SET state = 'queued' WHERE state = 'running'"),
    insert: db.prepare(`
      INSERT INTO async_jobs (call_id, function_name, method, path, query, headers, body, callback_url, accepted_at,
                              state, next_attempt_at)
      VALUES (@callId, @functionName, @method, @path, @query, @headers, @body, @callbackUrl, @acceptedAt, 'queued', 0)`),
    claim: db.prepare(`
      UPDATE async_jobs SET state = 'running'
      WHERE seq IN (SELECT seq FROM async_jobs WHERE ${waiting} AND next_attempt_at <= @now ORDER BY seq LIMIT @limit)
      RETURNING seq, call_id, function_name, method, path, query, headers, body, callback_url, accepted_at, attempts,
                callback_attempts, result_status, result_headers, result_body, duration_seconds, invoke_failed`),
    nextDue: db.prepare(`SELECT MIN(next_attempt_at) AS due FROM async_jobs WHERE ${waiting}`),
    retryInvoke: db.prepare(`
      UPDATE async_jobs SET state = 'retrying', attempts = @attempts, next_attempt_at = @nextAttemptAt,
                            last_error = @lastError
      WHERE seq = @jobId`),
    recordInvocation: db.prepare(`
      UPDATE async_jobs SET attempts = @attempts, result_status = @status, result_headers = @headers,
                            result_body = @body, duration_seconds = @durationSeconds, invoke_failed = @exhausted,
                            last_error = COALESCE(@lastError, last_error)
      WHERE seq = @jobId`),
    retryCallback: db.prepare(`
      UPDATE async_jobs SET state = 'retrying', callback_attempts = @callbackAttempts,
                            callback_status = COALESCE(@callbackStatus, callback_status),
                            next_attempt_at = @nextAttemptAt, last_error = @lastError
      WHERE seq = @jobId`),
    finish: db.prepare(`
      UPDATE async_jobs SET state = @state, finished_at = @finishedAt,
                            attempts = COALESCE(@attempts, attempts),
                            result_status = COALESCE(@status, result_status),
                            duration_seconds = COALESCE(@durationSeconds, duration_seconds),
                            callback_attempts = COALESCE(@callbackAttempts, callback_attempts),
                            callback_status = COALESCE(@callbackStatus, callback_status),
                            last_error = COALESCE(@lastError, last_error),
                            headers = '[]', body = X'', result_headers = NULL, result_body = NULL
      WHERE seq = @jobId`),
    prune: db.prepare(`
      DELETE FROM async_jobs WHERE finished_at IS NOT NULL AND seq NOT IN (
        SELECT seq FROM async_jobs WHERE finished_at IS NOT NULL ORDER BY finished_at DESC, seq DESC LIMIT @keep)`),
    depth: db.prepare("SELECT COUNT(*) AS depth FROM async_jobs WHERE state IN ('queued', 'running', 'retrying')"),
    recent: db.prepare(`
      SELECT call_id, function_name, state, attempts, result_status, callback_url, callback_status,
             callback_attempts, accepted_at, next_attempt_at, finished_at, last_error
      FROM async_jobs ORDER BY seq DESC LIMIT @limit`),
  };
}

function callToRow(call: AcceptedCall) {
  return {
    callId: call.callId,
    functionName: call.functionName,
    method: call.method,
    path: call.path,
    query: call.query,
    headers: JSON.stringify(call.headers),
    body: call.body,
    callbackUrl: call.callbackUrl ?? null,
    acceptedAt: call.acceptedAt,
  };
}

function rowToClaimedJob(row: JobRow): ClaimedJob {
  const call: AcceptedCall = {
    callId: row.call_id,
    functionName: row.function_name,
    method: row.method,
    path: row.path,
    query: row.query,
    headers: parseHeaderPairs(row.headers),
    body: row.body,
    acceptedAt: row.accepted_at,
    ...(row.callback_url === null ? {} : { callbackUrl: row.callback_url }),
  };
  const job = { jobId: row.seq, call, attempts: row.attempts, callbackAttempts: row.callback_attempts };
  if (row.result_status === null) return job;
  const result: InvokeResult = {
    status: row.result_status,
    headers: parseHeaderPairs(row.result_headers ?? "[]"),
    body: row.result_body ?? Buffer.alloc(0),
    durationSeconds: row.duration_seconds ?? 0,
  };
  return { ...job, invocation: { result, exhausted: row.invoke_failed === 1 } };
}

function rowToView(row: ViewRow): AsyncJobView {
  const finished = row.state === "done" || row.state === "failed";
  return {
    callId: row.call_id,
    functionName: row.function_name,
    state: row.state,
    awaitingCallback: !finished && row.result_status !== null,
    attempts: row.attempts,
    callbackAttempts: row.callback_attempts,
    acceptedAt: row.accepted_at,
    ...(row.result_status === null ? {} : { status: row.result_status }),
    ...(row.callback_url === null ? {} : { callbackUrl: maskPassword(row.callback_url) }),
    ...(row.callback_status === null ? {} : { callbackStatus: row.callback_status }),
    ...(row.state === "retrying" ? { nextAttemptAt: row.next_attempt_at } : {}),
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

function parseHeaderPairs(json: string): Array<readonly [string, string]> {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (pair): pair is [string, string] =>
      Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string",
  );
}

function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.toString();
  } catch {
    return url;
  }
}
