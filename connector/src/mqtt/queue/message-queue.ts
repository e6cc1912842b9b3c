import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ensureMessageQueueSchema } from "./queue-schema.js";
import type { DeadLetterReason, QueuedDelivery, ReceivedMessage } from "./received-message.js";
import { type DeliveryRow, deadLetterFromRow, messageToRow, rowToMessage } from "./stored-row.js";

export type { DeadLetterReason, QueuedDelivery, ReceivedMessage } from "./received-message.js";

/** `normal`: a commit survives the process being killed, not a power cut. `full`: an fsync per commit survives both. */
export type QueueSynchronous = "normal" | "full";

export interface MessageQueueOptions {
  readonly file: string;
  /** Default "normal". */
  readonly synchronous?: QueueSynchronous;
}

/** Where a delivery stands in the dispatcher's per-(topic, fn) order, without its payload. */
export interface DeliveryRef {
  readonly id: number;
  readonly topic: string;
  readonly fn: string;
}

/** A delivery read back for its next step. */
export interface StoredDelivery {
  readonly delivery: QueuedDelivery;
  /** Epoch ms before which the next step must not run (0 when due at once). */
  readonly nextAttemptAt: number;
  /** Set once the function is done with: the delivery then only awaits its dead letter, never another invocation. */
  readonly deadLetter?: DeadLetterReason;
}

export interface MessageQueue {
  /**
   * Stores one row per function (duplicates counted once), committed when this returns; nothing for none.
   * Synchronous: the connector acknowledges the MQTT message right after.
   */
  enqueue(message: ReceivedMessage, functions: readonly string[]): void;
  /** Called after each committed enqueue with the new deliveries; returns the unsubscribe. */
  onEnqueued(listener: (added: readonly DeliveryRef[]) => void): () => void;
  /** Every unfinished delivery, in arrival order (what a starting dispatcher resumes). */
  pending(): DeliveryRef[];
  /** The whole delivery, or undefined when it is no longer stored. */
  load(id: number): StoredDelivery | undefined;
  /** An invocation got a retryable outcome: `attempts` made so far, the next not before `nextAttemptAt`. */
  recordRetry(id: number, attempts: number, nextAttemptAt: number): void;
  /** The function is done with: from now on the delivery only awaits its dead letter (again at `nextAttemptAt`). */
  recordDeadLetter(id: number, reason: DeadLetterReason, nextAttemptAt: number): void;
  /** Deletes finished deliveries, in one transaction. */
  remove(ids: readonly number[]): void;
  /** Deliveries not finished (stored and not removed). */
  depth(): number;
  /** Resolves once depth() < limit; rejects if the queue is closed first. */
  waitForRoom(limit: number): Promise<void>;
  close(): void;
}

/** A checkpointed WAL is truncated back to this size, so one burst of big payloads does not keep the disk. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

interface RoomWaiter {
  readonly limit: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * The connector's durable queue: one SQLite file in WAL mode, locked exclusively (a second connector on the same
 * file would run its deliveries twice). Rows survive restarts; nothing marks a delivery as running on disk.
 */
export function openMessageQueue(options: MessageQueueOptions): MessageQueue {
  const synchronous = options.synchronous ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full") {
    throw new RangeError(`synchronous must be "normal" or "full", got ${String(synchronous)}`);
  }
  const db = openLockedDatabase(options.file, synchronous);
  const statements = prepareStatements(db);
  let depth = (statements.count.get() as { depth: number }).depth;
  let closed = false;
  const listeners = new Set<(added: readonly DeliveryRef[]) => void>();
  let roomWaiters: RoomWaiter[] = [];

  const insertOne = (row: ReturnType<typeof messageToRow>, fn: string): DeliveryRef => {
    const id = Number(statements.insert.run({ ...row, fn }).lastInsertRowid);
    return { id, topic: row.topic, fn };
  };
  const insertMany = db.transaction((row: ReturnType<typeof messageToRow>, functions: readonly string[]) =>
    functions.map((fn) => insertOne(row, fn)),
  );
  const removeMany = db.transaction((ids: readonly number[]) => {
    let removed = 0;
    for (const id of ids) removed += statements.remove.run(id).changes;
    return removed;
  });

  const assertOpen = (): void => {
    if (closed) throw new Error("the message queue is closed");
  };

  const releaseRoomWaiters = (): void => {
    if (roomWaiters.length === 0) return;
    const stillWaiting: RoomWaiter[] = [];
    for (const waiter of roomWaiters) {
      if (depth < waiter.limit) waiter.resolve();
      else stillWaiting.push(waiter);
    }
    roomWaiters = stillWaiting;
  };

  return {
    enqueue(message, functions) {
      assertOpen();
      if (functions.length === 0) return;
      const row = messageToRow(message);
      // The common case (one function) is one autocommitted insert: no transaction wrapper on the MQTT path.
      const added =
        functions.length === 1 && functions[0] !== undefined
          ? [insertOne(row, functions[0])]
          : insertMany(row, [...new Set(functions)]);
      depth += added.length;
      for (const listener of listeners) {
        try {
          listener(added);
        } catch {
          // A listener's failure must not turn a committed enqueue into a failed one (the message is stored).
        }
      }
    },
    onEnqueued(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    pending() {
      assertOpen();
      return statements.pending.all() as DeliveryRef[];
    },
    load(id) {
      assertOpen();
      const row = statements.load.get(id) as DeliveryRow | undefined;
      if (row === undefined) return undefined;
      const delivery: QueuedDelivery = { id: row.id, fn: row.fn, message: rowToMessage(row), attempts: row.attempts };
      const deadLetter = deadLetterFromRow(row);
      return { delivery, nextAttemptAt: row.next_attempt_at, ...(deadLetter === undefined ? {} : { deadLetter }) };
    },
    recordRetry(id, attempts, nextAttemptAt) {
      assertOpen();
      statements.retry.run({ id, attempts, nextAttemptAt });
    },
    recordDeadLetter(id, reason, nextAttemptAt) {
      assertOpen();
      statements.deadLetter.run({ id, attempts: reason.attempts, nextAttemptAt, reason: JSON.stringify(reason) });
    },
    remove(ids) {
      assertOpen();
      if (ids.length === 0) return;
      depth -= removeMany(ids);
      releaseRoomWaiters();
    },
    depth: () => depth,
    waitForRoom(limit) {
      if (closed) return Promise.reject(new Error("the message queue is closed"));
      if (depth < limit) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        roomWaiters.push({ limit, resolve, reject });
      });
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      const waiters = roomWaiters;
      roomWaiters = [];
      for (const waiter of waiters) waiter.reject(new Error("the message queue is closed"));
      db.close();
    },
  };
}

function openLockedDatabase(file: string, synchronous: QueueSynchronous): Database.Database {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // No busy wait: the only other user of the file would be a second connector, which must fail at once.
  const db = new Database(file, { timeout: 0 });
  try {
    // EXCLUSIVE also spares WAL its shared-memory index: only this process reads the file.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    ensureMessageQueueSchema(db, file);
    // Take the exclusive lock now rather than at the first write, so a second connector fails on open.
    db.exec("BEGIN IMMEDIATE; COMMIT");
  } catch (error) {
    db.close();
    if (error instanceof Error && "code" in error && error.code === "SQLITE_BUSY") {
      throw new Error(`message queue ${file} is in use by another process (one connector owns it)`, {
        cause: error,
      });
    }
    throw error;
  }
  return db;
}

function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(`
      INSERT INTO deliveries (topic, fn, payload, received_at, response_topic, correlation_data, content_type,
                              user_properties)
      VALUES (@topic, @fn, @payload, @receivedAt, @responseTopic, @correlationData, @contentType, @userProperties)`),
    pending: db.prepare("SELECT id, topic, fn FROM deliveries ORDER BY id"),
    load: db.prepare("SELECT * FROM deliveries WHERE id = ?"),
    retry: db.prepare("UPDATE deliveries SET attempts = @attempts, next_attempt_at = @nextAttemptAt WHERE id = @id"),
    deadLetter: db.prepare(`
      UPDATE deliveries SET attempts = @attempts, next_attempt_at = @nextAttemptAt, dead_letter = @reason
      WHERE id = @id`),
    remove: db.prepare("DELETE FROM deliveries WHERE id = ?"),
    count: db.prepare("SELECT COUNT(*) AS depth FROM deliveries"),
  };
}
