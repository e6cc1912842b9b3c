import { mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { type AppendFile, createAppendFile, rotatedPath } from "./append-file.js";
import { EntryRing } from "./entry-ring.js";
import { createLineSplitter, DEFAULT_MAX_LINE_BYTES } from "./line-splitter.js";
import { FUNCTION_NAMESPACE, formatTimestamp, isFunctionName, type LogEntry } from "./log-entry.js";
import { readTailEntries, type TimedEntry } from "./restore-tail.js";

export interface LogBookOptions {
  /** Where `<function>.log` (NDJSON, one entry a line) and its predecessor `<function>.log.1` live. */
  readonly dir: string;
  /** How many recent entries each function keeps in memory for queries. Default 2000. */
  readonly keepPerFunction?: number;
  readonly now?: () => Date;
  /** Called with every new entry (not the ones restored from disk), e.g. to print it prefixed by the function. */
  readonly echo?: (entry: LogEntry) => void;
  /** Longer lines are split into pieces of this many bytes. Default 16 KiB. */
  readonly maxLineBytes?: number;
  /** A log file that would grow past this is renamed to `<function>.log.1` and a new one begun. Default 8 MiB. */
  readonly maxFileBytes?: number;
  /** At most this many bytes are read from the end of each file when a function's log is first used. Default 4 MiB. */
  readonly restoreBytes?: number;
  /** A log file could not be written (disk full, ...). The entries stay in memory. Default: ignored. */
  readonly onFileError?: (functionName: string, error: Error) => void;
}

export interface LogQuery {
  readonly name: string;
  /** Only this replica's lines. */
  readonly instance?: string;
  /** At most this many of the newest matching entries; absent, 0 or negative means all that are kept. */
  readonly tail?: number;
  /** Only entries at or after this time. */
  readonly since?: Date;
}

export type LogListener = (entry: LogEntry) => void;

/** Each function's recent output, in memory for queries and followers, and on disk to survive a restart. */
export interface LogBook {
  /** Writables to pipe a replica's stdout and stderr into; each non-blank line becomes an entry. */
  stream(functionName: string, instance: string): { stdout: Writable; stderr: Writable };
  /** The gateway's own words about a function ("replica 2 exited with code 1"), into the same log. */
  note(functionName: string, instance: string, text: string): void;
  /** Kept entries that match, oldest first. */
  query(query: LogQuery): LogEntry[];
  /**
   * Calls `listener` with each new entry of `functionName` until the returned function is called.
   * `onClose` is called if the book closes (or forgets the function) first, so a streaming answer can end.
   */
  follow(functionName: string, listener: LogListener, onClose?: () => void): () => void;
  /** Drops a removed function's entries from memory and disk. */
  forget(functionName: string): Promise<void>;
  /** Resolves once every entry recorded so far is in its file. */
  flush(): Promise<void>;
  /**
   * Ends every follow stream, and any later one at once, while entries are still recorded: the gateway is
   * stopping, and an open `follow=true` answer (faas-cli logs --tail, the dashboard's log view) would otherwise
   * hold its drain for all of DRAIN_TIMEOUT.
   */
  endFollowing(): void;
  /** Flushes and closes the files and ends the followers; later entries are kept in memory only. */
  close(): Promise<void>;
}

const DEFAULT_KEEP_PER_FUNCTION = 2000;
const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const DEFAULT_RESTORE_BYTES = 4 * 1024 * 1024;
/** How far a log file may fall behind its function before lines are dropped from it. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

interface Follower {
  readonly listener: LogListener;
  readonly onClose: (() => void) | undefined;
}

interface FunctionLog {
  readonly ring: EntryRing<TimedEntry>;
  readonly file: AppendFile;
  readonly followers: Set<Follower>;
}

export function createLogBook(options: LogBookOptions): LogBook {
  const keep = options.keepPerFunction ?? DEFAULT_KEEP_PER_FUNCTION;
  const now = options.now ?? (() => new Date());
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const restoreBytes = options.restoreBytes ?? DEFAULT_RESTORE_BYTES;
  const onFileError = options.onFileError ?? (() => undefined);
  const logs = new Map<string, FunctionLog>();
  let closed = false;
  let followingEnded = false;

  mkdirSync(options.dir, { recursive: true, mode: 0o700 });

  const fileOf = (functionName: string): string => path.join(options.dir, `${functionName}.log`);

  const functionLog = (functionName: string): FunctionLog => {
    if (!isFunctionName(functionName)) throw new TypeError(`not a function name: ${JSON.stringify(functionName)}`);
    const existing = logs.get(functionName);
    if (existing !== undefined) return existing;
    const file = fileOf(functionName);
    const ring = new EntryRing<TimedEntry>(keep);
    // Read lazily, once per function: a function removed long ago costs nothing, and the read is bounded.
    const restore = (from: string): TimedEntry[] => {
      try {
        return readTailEntries(from, functionName, restoreBytes);
      } catch (error) {
        // An unreadable old log must not stop the function from logging now.
        onFileError(functionName, error instanceof Error ? error : new Error(String(error)));
        return [];
      }
    };
    const recent = restore(file);
    const older = recent.length < keep ? restore(rotatedPath(file)) : [];
    for (const timed of [...older, ...recent]) ring.push(timed);
    const created: FunctionLog = {
      ring,
      file: createAppendFile(file, {
        maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
        maxQueuedBytes: MAX_QUEUED_BYTES,
        onError: (error) => onFileError(functionName, error),
      }),
      followers: new Set(),
    };
    logs.set(functionName, created);
    return created;
  };

  const record = (log: FunctionLog, functionName: string, instance: string, text: string): void => {
    const at = now();
    const entry: LogEntry = {
      name: functionName,
      namespace: FUNCTION_NAMESPACE,
      instance,
      timestamp: formatTimestamp(at),
      text,
    };
    log.ring.push({ entry, at: at.getTime() });
    if (!closed) log.file.append(`${JSON.stringify(entry)}\n`);
    // A failing printer or follower is its own problem; it must not break the child's pipe or the others.
    if (options.echo !== undefined) callSafely(options.echo, entry);
    for (const follower of log.followers) callSafely(follower.listener, entry);
  };

  const endFollowers = (log: FunctionLog): void => {
    const followers = [...log.followers];
    log.followers.clear();
    for (const follower of followers) if (follower.onClose !== undefined) callSafely(follower.onClose, undefined);
  };

  return {
    stream(functionName, instance) {
      const log = functionLog(functionName);
      const sink = () => createLineSplitter((line) => record(log, functionName, instance, line), maxLineBytes);
      return { stdout: sink(), stderr: sink() };
    },

    note(functionName, instance, text) {
      const log = functionLog(functionName);
      for (const line of text.split(/\r?\n/)) if (line.trim() !== "") record(log, functionName, instance, line);
    },

    query({ name, instance, tail, since }) {
      const sinceMs = since?.getTime();
      const matching = functionLog(name)
        .ring.toArray()
        .filter(({ entry, at }) => {
          if (instance !== undefined && entry.instance !== instance) return false;
          return sinceMs === undefined || at >= sinceMs;
        });
      const kept = tail !== undefined && tail > 0 ? matching.slice(-tail) : matching;
      return kept.map(({ entry }) => entry);
    },

    follow(functionName, listener, onClose) {
      const log = functionLog(functionName);
      const follower: Follower = { listener, onClose };
      if (closed || followingEnded) {
        if (onClose !== undefined) queueMicrotask(onClose);
        return () => undefined;
      }
      log.followers.add(follower);
      return () => {
        log.followers.delete(follower);
      };
    },

    async forget(functionName) {
      if (!isFunctionName(functionName)) throw new TypeError(`not a function name: ${JSON.stringify(functionName)}`);
      const log = logs.get(functionName);
      logs.delete(functionName);
      if (log !== undefined) {
        endFollowers(log);
        await log.file.close();
      }
      const file = fileOf(functionName);
      await Promise.all([rm(file, { force: true }), rm(rotatedPath(file), { force: true })]);
    },

    async flush() {
      await Promise.all([...logs.values()].map((log) => log.file.flush()));
    },

    endFollowing() {
      followingEnded = true;
      for (const log of logs.values()) endFollowers(log);
    },

    async close() {
      closed = true;
      for (const log of logs.values()) endFollowers(log);
      await Promise.all([...logs.values()].map((log) => log.file.close()));
    },
  };
}

function callSafely<T>(callback: (value: T) => void, value: T): void {
  try {
    callback(value);
  } catch {
    // Deliberately ignored: see the caller.
  }
}
