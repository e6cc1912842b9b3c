import { type FileHandle, open, rename } from "node:fs/promises";
import { setImmediate as nextTurn } from "node:timers/promises";

export interface AppendFileOptions {
  /** When the file would grow past this, it becomes `<path>.1` (replacing an older one) and a new file starts. */
  readonly maxFileBytes: number;
  /** Lines waiting for the disk beyond this many bytes are dropped from the file (they stay in memory). */
  readonly maxQueuedBytes: number;
  readonly onError: (error: Error) => void;
}

/** Appends text lines to one file without ever waiting on the disk in the caller. */
export interface AppendFile {
  /** Queues `line` (which must end with a newline); returns at once. */
  append(line: string): void;
  /** Resolves once every line queued so far has been handed to the OS (or failed and reported). */
  flush(): Promise<void>;
  /** Flushes, closes the file and ignores any later `append`. */
  close(): Promise<void>;
}

export function rotatedPath(path: string): string {
  return `${path}.1`;
}

/**
 * Lines are queued in memory and written in batches by one drain loop, so a chatty child costs one write
 * per turn of the event loop rather than one per line, and a slow disk never stalls the child's pipe.
 */
export function createAppendFile(path: string, options: AppendFileOptions): AppendFile {
  let queue: string[] = [];
  let queuedBytes = 0;
  let droppedLines = 0;
  let draining: Promise<void> | undefined;
  let handle: FileHandle | undefined;
  let fileBytes = 0;
  let closed = false;

  const openFile = async (): Promise<FileHandle> => {
    if (handle !== undefined) return handle;
    const opened = await open(path, "a", 0o600);
    fileBytes = (await opened.stat()).size;
    handle = opened;
    return opened;
  };

  const closeFile = async (): Promise<void> => {
    const current = handle;
    handle = undefined;
    await current?.close();
  };

  const writeBatch = async (text: string): Promise<void> => {
    const bytes = Buffer.from(text);
    let file = await openFile();
    if (fileBytes > 0 && fileBytes + bytes.length > options.maxFileBytes) {
      await closeFile();
      await rename(path, rotatedPath(path));
      file = await openFile();
    }
    await file.write(bytes);
    fileBytes += bytes.length;
  };

  const drain = async (): Promise<void> => {
    // Let the lines printed in this turn of the event loop join the first batch.
    await nextTurn();
    while (queue.length > 0) {
      const batch = queue.join("");
      queue = [];
      queuedBytes = 0;
      try {
        await writeBatch(batch);
      } catch (error) {
        // The disk may come back (space freed); the next batch tries again with a fresh handle.
        await closeFile().catch(() => undefined);
        options.onError(error instanceof Error ? error : new Error(String(error)));
      }
      if (droppedLines > 0) {
        options.onError(new Error(`${droppedLines} log lines were not written to ${path}: the disk fell behind`));
        droppedLines = 0;
      }
    }
  };

  const startDrain = (): Promise<void> => {
    draining ??= drain().finally(() => {
      draining = undefined;
    });
    return draining;
  };

  return {
    append(line) {
      if (closed) return;
      const bytes = Buffer.byteLength(line);
      if (queuedBytes + bytes > options.maxQueuedBytes) {
        droppedLines++;
        return;
      }
      queue.push(line);
      queuedBytes += bytes;
      void startDrain();
    },
    async flush() {
      while (draining !== undefined || queue.length > 0) await startDrain();
    },
    async close() {
      if (closed) return;
      await this.flush();
      closed = true;
      await closeFile();
    },
  };
}
