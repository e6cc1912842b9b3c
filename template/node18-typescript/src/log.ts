/** One JSON object per line: `level`, `time`, `msg`, `component`, then the event's own fields. */
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string, level: LogLevel) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const queued: Record<"stdout" | "stderr", string[]> = { stdout: [], stderr: [] };
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
    const lines = queued[name];
    if (lines.length === 0) continue;
    process[name].write(`${lines.join("\n")}\n`);
    lines.length = 0;
  }
}

/**
 * Writes info to stdout and warnings and errors to stderr (the watchdog relays both). Lines are gathered for
 * at most 10 ms (or 32 KiB): under load one system call carries many requests' lines, and an idle function
 * still logs at once. Whatever is queued is written when the process exits.
 */
export const standardSink: LogSink = (line, level) => {
  queued[level === "info" ? "stdout" : "stderr"].push(line);
  queuedChars += line.length;
  if (queuedChars >= FLUSH_AT_CHARS) flushQueued();
  else flushTimer ??= setTimeout(flushQueued, FLUSH_AFTER_MS);
};
process.once("exit", flushQueued);

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
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    sink(JSON.stringify({ level, time: isoNow(), msg, component, ...fields }), level);
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
