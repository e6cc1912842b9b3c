import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// What the tests of coffee-edge's SQLite queues share (the gateway's async queue, the MQTT connector's message
// queue): throwaway queue files, a logger that records, a promise resolved from outside, and a wait without polling.

const tempDirs: string[] = [];

/** A queue file path in a fresh temp folder named `prefix…`; the folder it sits in is not created (the queue must). */
export async function tempQueueFile(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return path.join(dir, "nested", "queue.db");
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export interface LogLine {
  readonly level: "info" | "warn";
  readonly msg: string;
  readonly fields: Record<string, unknown> | undefined;
}

/** A queue's logger (info and warn with fields) that keeps every line for the test to read. */
export interface RecordingLogger {
  readonly lines: LogLine[];
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: "info", msg, fields }),
    warn: (msg, fields) => lines.push({ level: "warn", msg, fields }),
  };
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * Resolves once `done()` holds, checking again each time `subscribe`'s one-shot wake-up fires; rejects after
 * `timeoutMs` naming `what()`. No polling, no sleeping.
 */
export function waitUntil(
  done: () => boolean,
  subscribe: (wake: () => void) => void,
  what: () => string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), timeoutMs);
    const check = (): void => {
      if (done()) {
        clearTimeout(timer);
        resolve();
      } else {
        subscribe(check);
      }
    };
    check();
  });
}
