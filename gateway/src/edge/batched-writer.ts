import type { Writable } from "node:stream";

/** Text waits at most this long, or until this much is queued, before one write takes it all. */
const FLUSH_AFTER_MS = 10;
const FLUSH_AT_CHARS = 32 * 1024;

/**
 * Lines for the terminal, gathered for a moment and written together: every function's request lines pass
 * through the gateway on their way to the terminal, and one write per line would cost more than the hop itself
 * (a write to a file or pipe as stdout is a system call each time).
 */
export function batchedWriter(out: Writable): { write(line: string): void; flush(): void } {
  let queued: string[] = [];
  let chars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (queued.length === 0) return;
    const text = queued.join("");
    queued = [];
    chars = 0;
    out.write(text);
  };
  return {
    write(line) {
      queued.push(line);
      chars += line.length;
      if (chars >= FLUSH_AT_CHARS) flush();
      else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
    },
    flush,
  };
}
