/** One JSON object per line: `level`, `time`, `msg`, `component`, then the event's own fields. */
export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;
export type LogSink = (line: string, level: LogLevel) => void;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Writes info to stdout and warnings and errors to stderr; the watchdog relays both. */
export const standardSink: LogSink = (line, level) => {
  (level === "info" ? process.stdout : process.stderr).write(`${line}\n`);
};

export function createLogger(sink: LogSink = standardSink, component = "fn"): Logger {
  const write = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    sink(JSON.stringify({ level, time: new Date().toISOString(), msg, component, ...fields }), level);
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
