/** One JSON object per line: `level`, `time`, `msg`, `component`, then the event's own fields. */
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string, level: LogLevel) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** One line before serialisation: the standard members, then the event's own fields. */
type LogRecord = Record<string, unknown>;

/** What waits for the next write: lines already serialised, and records to serialise then (see `queueRecord`). */
const queued: Record<"stdout" | "stderr", Array<string | LogRecord>> = { stdout: [], stderr: [] };
let queuedChars = 0;
let flushTimer: NodeJS.Timeout | undefined;

/** Lines wait at most this long, or until this much text is queued, before one write takes them all. */
const FLUSH_AFTER_MS = 10;
const FLUSH_AT_CHARS = 32 * 1024;

function flushQueued(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = undefined;
  queuedChars = 0;
  for (const name of ["stdout", "stderr"] as const) {
    const entries = queued[name];
    if (entries.length === 0) continue;
    const lines = entries.map((entry) => (typeof entry === "string" ? entry : JSON.stringify(entry)));
    lines.push(""); // so the text ends with a newline, without copying it once more to append one
    process[name].write(lines.join("\n"));
    entries.length = 0;
  }
}

function enqueue(entry: string | LogRecord, chars: number, level: LogLevel): void {
  queued[level === "info" ? "stdout" : "stderr"].push(entry);
  queuedChars += chars;
  if (queuedChars >= FLUSH_AT_CHARS) flushQueued();
  else flushTimer ??= setTimeout(flushQueued, FLUSH_AFTER_MS);
}

/**
 * Writes info to stdout and warnings and errors to stderr (the watchdog relays both). Lines are gathered for
 * at most 10 ms (or 32 KiB): under load one system call carries many requests' lines, and an idle function
 * still logs at once. Whatever is queued is written when the process exits.
 */
export const standardSink: LogSink = (line, level) => enqueue(line, line.length, level);
process.once("exit", flushQueued);

/**
 * Queues a record for the standard sink. A record whose values are all strings, numbers, booleans, null or
 * undefined (a request's completion line) is serialised when the batch is written: those values cannot change
 * in the meantime, so the line is exactly what it would be now, and serialising a whole batch in one go costs
 * far less than one line per request. Any other record is serialised at once, as a mutable object or an error
 * from `JSON.stringify` (a BigInt, a cycle) must be seen as it is at the call.
 */
function queueRecord(record: LogRecord, level: LogLevel): void {
  const chars = primitiveRecordChars(record);
  if (chars !== undefined) {
    enqueue(record, chars, level);
    return;
  }
  const line = JSON.stringify(record);
  enqueue(line, line.length, level);
}

/** Roughly how long the record's line will be, or undefined if a value is not a primitive JSON writes as is. */
function primitiveRecordChars(record: LogRecord): number | undefined {
  let chars = 2;
  for (const key in record) {
    const value = record[key];
    if (typeof value === "string") chars += key.length + value.length + 6;
    else if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean")
      chars += key.length + 24;
    else return undefined;
  }
  return chars;
}

let lastMs = 0;
let lastIso = "";

/** The ISO time, formatted once per millisecond: under load many lines share one. */
function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

export function createLogger(sink: LogSink = standardSink, component = "fn"): Logger {
  const write = (level: LogLevel, msg: string, fields?: LogFields) => {
    const record: LogRecord = { level, time: isoNow(), msg, component, ...fields };
    // The standard sink may serialise later (see queueRecord); any other sink gets each line at once.
    if (sink === standardSink) queueRecord(record, level);
    else sink(JSON.stringify(record), level);
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}

/** What may be logged of an error: its name and message, and the stack (logs are for operators, not clients). */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) return { err: { name: error.name, message: error.message, stack: error.stack } };
  return { err: { value: typeof error === "string" ? error : typeof error } };
}
