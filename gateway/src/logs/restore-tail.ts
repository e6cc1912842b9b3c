import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { FUNCTION_NAMESPACE, type LogEntry } from "./log-entry.js";

/** An entry with its time as a number, so `since` filters compare numbers rather than re-parse text. */
export interface TimedEntry {
  readonly entry: LogEntry;
  readonly at: number;
}

/**
 * Reads the NDJSON entries of `name` from the last `maxBytes` of `path` (oldest first). A first line cut by the
 * byte window and lines that are not entries (a torn write after a crash) are skipped. A missing file has none.
 */
export function readTailEntries(path: string, name: string, maxBytes: number): TimedEntry[] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const bytes = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const got = readSync(fd, bytes, read, length - read, size - length + read);
      if (got === 0) break;
      read += got;
    }
    const lines = bytes.subarray(0, read).toString("utf8").split("\n");
    if (size > length) lines.shift();
    return lines.flatMap((line) => {
      const parsed = parseEntry(line, name);
      return parsed === undefined ? [] : [parsed];
    });
  } finally {
    closeSync(fd);
  }
}

function parseEntry(line: string, name: string): TimedEntry | undefined {
  if (line.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { instance, timestamp, text } = value as Record<string, unknown>;
  if (typeof instance !== "string" || typeof timestamp !== "string" || typeof text !== "string") return undefined;
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) return undefined;
  return { entry: { name, namespace: FUNCTION_NAMESPACE, instance, timestamp, text }, at };
}
