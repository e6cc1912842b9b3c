import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { ensureOutboxSchema } from "./outbox-schema.js";

export type QoS = 0 | 1 | 2;

/**
 * What a full outbox gives up: `drop-oldest` deletes the oldest rows to make room (fresh readings matter more
 * than stale ones), `drop-newest` refuses the new message (what is queued stays complete up to the outage).
 */
export type OutboxPolicy = "drop-oldest" | "drop-newest";

/** `normal`: a commit survives the process being killed, not a power cut. `full`: an fsync per commit survives both. */
export type OutboxSynchronous = "normal" | "full";

export interface OutboxOptions {
  readonly file: string;
  /** Most rows kept (≥ 1). */
  readonly maxMessages: number;
  /** Most bytes kept, counting each message as its topic's UTF-8 bytes plus its payload's (≥ 1). */
  readonly maxBytes: number;
  readonly policy: OutboxPolicy;
  /** Default "normal". */
  readonly synchronous?: OutboxSynchronous;
}

/** A stored message, as the forwarder reads it back. */
export interface OutboxMessage {
  readonly seq: number;
  /** The local topic (the bridge maps it to the central one when sending). */
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  /** Epoch ms when it was stored. */
  readonly addedAt: number;
}

/** A message the bound gave up: an old row deleted (drop-oldest) or the new one refused (drop-newest, or too big). */
export interface DroppedMessage {
  /** null for a new message that was never stored. */
  readonly seq: number | null;
  readonly topic: string;
  /** Topic bytes plus payload bytes. */
  readonly size: number;
}

export interface AddResult {
  /** The new row's sequence number, or null when the message was refused. */
  readonly seq: number | null;
  /** What was given up to respect the bounds; empty in the common case. */
  readonly dropped: readonly DroppedMessage[];
}

export interface Outbox {
  /**
   * Stores a message, committed when this returns (synchronous: the caller acknowledges right after). When the new
   * message would pass `maxMessages` or `maxBytes`, applies the policy in the same transaction and says what it
   * dropped. A message larger than `maxBytes` on its own is refused under either policy.
   */
  add(topic: string, payload: Uint8Array, qos: QoS): AddResult;
  /** Up to `limit` rows with `seq > afterSeq` (default: from the oldest), oldest first. */
  peek(limit: number, afterSeq?: number): OutboxMessage[];
  /** Deletes these rows (ones already gone are ignored), in one transaction; returns how many were deleted. */
  remove(seqs: readonly number[]): number;
  /** Deletes every row with `seq <= upTo`; returns how many were deleted. */
  removeUpTo(upTo: number): number;
  /** Rows stored. */
  depth(): number;
  /** Bytes stored (topic + payload per row). */
  bytes(): number;
  /** Age of the oldest row, 0 when empty. */
  oldestAgeMs(now?: number): number;
  readonly limits: { readonly maxMessages: number; readonly maxBytes: number; readonly policy: OutboxPolicy };
  close(): void;
}

/** A checkpointed WAL is truncated back to this size, so one burst during an outage does not keep the disk. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

interface SizedRow {
  readonly seq: number;
  readonly topic: string;
  readonly size: number;
}

interface PeekedRow {
  readonly seq: number;
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: number;
  readonly added_at: number;
}

/**
 * The bridge's store-and-forward outbox: one SQLite file in WAL mode, locked exclusively (two bridges on one file
 * would forward everything twice). Every message is committed before `add` returns and stays until the central
 * broker acknowledged it, across restarts and SIGKILL. Depth and bytes are counted in memory, read once at open.
 */
export function openOutbox(options: OutboxOptions): Outbox {
  const limits = validateLimits(options);
  const synchronous = options.synchronous ?? "normal";
  if (synchronous !== "normal" && synchronous !== "full") {
    throw new RangeError(`synchronous must be "normal" or "full", got ${String(synchronous)}`);
  }
  const db = openLockedDatabase(options.file, synchronous);
  const statements = prepareStatements(db);
  const totals = statements.totals.get() as { depth: number; bytes: number };
  let depth = totals.depth;
  let bytes = totals.bytes;
  let closed = false;

  const assertOpen = (): void => {
    if (closed) throw new Error("the bridge outbox is closed");
  };

  /** Deletes the oldest rows until `size` more bytes and one more row fit; returns them. */
  const dropOldestFor = (size: number): DroppedMessage[] => {
    const dropped: DroppedMessage[] = [];
    let freedRows = 0;
    let freedBytes = 0;
    const fits = () => depth - freedRows + 1 <= limits.maxMessages && bytes - freedBytes + size <= limits.maxBytes;
    let afterSeq = 0;
    while (!fits()) {
      // In small pages: the common case (a full outbox) frees exactly one row.
      const rows = statements.oldestSizes.all(afterSeq, 16) as SizedRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        if (fits()) break;
        dropped.push({ seq: row.seq, topic: row.topic, size: row.size });
        freedRows++;
        freedBytes += row.size;
        afterSeq = row.seq;
      }
    }
    if (dropped.length > 0) statements.removeUpTo.run(afterSeq);
    depth -= freedRows;
    bytes -= freedBytes;
    return dropped;
  };

  const insert = (topic: string, payload: Buffer, qos: QoS, size: number): number => {
    const info = statements.insert.run({ topic, payload, qos, size, addedAt: Date.now() });
    depth++;
    bytes += size;
    return Number(info.lastInsertRowid);
  };

  const addDroppingOldest = db.transaction((topic: string, payload: Buffer, qos: QoS, size: number) => {
    const dropped = dropOldestFor(size);
    return { seq: insert(topic, payload, qos, size), dropped };
  });

  const removeMany = db.transaction((seqs: readonly number[]) => {
    let removed = 0;
    for (const seq of seqs) {
      const row = statements.removeOne.get(seq) as { size: number } | undefined;
      if (row === undefined) continue;
      removed++;
      bytes -= row.size;
    }
    depth -= removed;
    return removed;
  });

  return {
    limits,
    add(topic, payload, qos) {
      assertOpen();
      const body = asBuffer(payload);
      const size = Buffer.byteLength(topic) + body.length;
      if (size > limits.maxBytes) return { seq: null, dropped: [{ seq: null, topic, size }] };
      const fits = depth + 1 <= limits.maxMessages && bytes + size <= limits.maxBytes;
      // The common case is one autocommitted insert: in WAL with synchronous=NORMAL a commit is a write() to the
      // WAL, no fsync, so grouping several per transaction would buy little and break "stored when add returns".
      if (fits) return { seq: insert(topic, body, qos, size), dropped: [] };
      if (limits.policy === "drop-newest") return { seq: null, dropped: [{ seq: null, topic, size }] };
      return addDroppingOldest(topic, body, qos, size);
    },
    peek(limit, afterSeq = 0) {
      assertOpen();
      if (limit <= 0) return [];
      const rows = statements.peek.all(afterSeq, limit) as PeekedRow[];
      return rows.map((row) => ({
        seq: row.seq,
        topic: row.topic,
        payload: row.payload,
        qos: row.qos as QoS,
        addedAt: row.added_at,
      }));
    },
    remove(seqs) {
      assertOpen();
      if (seqs.length === 0) return 0;
      return removeMany(seqs);
    },
    removeUpTo(upTo) {
      assertOpen();
      const freed = statements.sizesUpTo.get(upTo) as { rows: number; bytes: number };
      if (freed.rows === 0) return 0;
      statements.removeUpTo.run(upTo);
      depth -= freed.rows;
      bytes -= freed.bytes;
      return freed.rows;
    },
    depth: () => depth,
    bytes: () => bytes,
    oldestAgeMs(now = Date.now()) {
      assertOpen();
      const oldest = statements.oldestAddedAt.get() as { added_at: number } | undefined;
      return oldest === undefined ? 0 : Math.max(0, now - oldest.added_at);
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function validateLimits(options: OutboxOptions): Outbox["limits"] {
  const { maxMessages, maxBytes, policy } = options;
  if (!Number.isSafeInteger(maxMessages) || maxMessages < 1) {
    throw new RangeError(`maxMessages must be a whole number ≥ 1, got ${String(maxMessages)}`);
  }
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new RangeError(`maxBytes must be a whole number ≥ 1, got ${String(maxBytes)}`);
  }
  if (policy !== "drop-oldest" && policy !== "drop-newest") {
    throw new RangeError(`policy must be "drop-oldest" or "drop-newest", got ${String(policy)}`);
  }
  return { maxMessages, maxBytes, policy };
}

function asBuffer(payload: Uint8Array): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

function openLockedDatabase(file: string, synchronous: OutboxSynchronous): Database.Database {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // No busy wait: the only other user of the file would be a second bridge, which must fail at once.
  const db = new Database(file, { timeout: 0 });
  try {
    // EXCLUSIVE also spares WAL its shared-memory index: only this process reads the file.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    ensureOutboxSchema(db, file);
    // Take the exclusive lock now rather than at the first write, so a second bridge fails on open.
    db.exec("BEGIN IMMEDIATE; COMMIT");
  } catch (error) {
    db.close();
    if (error instanceof Error && "code" in error && error.code === "SQLITE_BUSY") {
      throw new Error(`bridge outbox ${file} is in use by another process (one bridge owns it)`, { cause: error });
    }
    throw error;
  }
  return db;
}

function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      "INSERT INTO outbox (topic, payload, qos, size, added_at) VALUES (@topic, @payload, @qos, @size, @addedAt)",
    ),
    peek: db.prepare("SELECT seq, topic, payload, qos, added_at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
    oldestSizes: db.prepare("SELECT seq, topic, size FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?"),
    oldestAddedAt: db.prepare("SELECT added_at FROM outbox ORDER BY seq LIMIT 1"),
    removeOne: db.prepare("DELETE FROM outbox WHERE seq = ? RETURNING size"),
    removeUpTo: db.prepare("DELETE FROM outbox WHERE seq <= ?"),
    sizesUpTo: db.prepare("SELECT COUNT(*) AS rows, COALESCE(SUM(size), 0) AS bytes FROM outbox WHERE seq <= ?"),
    totals: db.prepare("SELECT COUNT(*) AS depth, COALESCE(SUM(size), 0) AS bytes FROM outbox"),
  };
}
