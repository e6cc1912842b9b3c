import { Writable } from "node:stream";

/** Long enough for any sane log line; a child that prints megabytes without a newline must not grow memory. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

const NEWLINE = 0x0a;
const NOT_BLANK = /\S/;

/**
 * A writable that cuts the bytes a child prints into lines and hands each non-blank one to `onLine`.
 * A line may arrive across many chunks; the last, unterminated line is delivered when the stream ends.
 * A line longer than `maxLineBytes` is delivered in pieces of at most that many bytes, cut between characters,
 * so nothing is lost and nothing grows without bound. A trailing `\r` (CRLF output) is dropped.
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): Writable {
  let partial: Buffer = Buffer.alloc(0);

  const deliver = (bytes: Buffer): void => {
    let line = bytes.toString("utf8");
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (NOT_BLANK.test(line)) onLine(line);
  };

  const keep = (bytes: Buffer): void => {
    partial = partial.length === 0 ? Buffer.from(bytes) : Buffer.concat([partial, bytes]);
    while (partial.length >= maxLineBytes) {
      const cut = characterBoundary(partial, maxLineBytes);
      deliver(partial.subarray(0, cut));
      partial = Buffer.from(partial.subarray(cut));
    }
  };

  const flushPartial = (): void => {
    if (partial.length === 0) return;
    const rest = partial;
    partial = Buffer.alloc(0);
    deliver(rest);
  };

  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE, start); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        // A whole short line (the usual case) goes out without being copied first.
        if (partial.length === 0 && end - start < maxLineBytes) deliver(chunk.subarray(start, end));
        else {
          keep(chunk.subarray(start, end));
          flushPartial();
        }
        start = end + 1;
      }
      if (start < chunk.length) keep(chunk.subarray(start));
      callback();
    },
    final(callback) {
      flushPartial();
      callback();
    },
    destroy(error, callback) {
      // A child killed mid-line still said something worth keeping.
      flushPartial();
      callback(error);
    },
  });
}

/** The largest index ≤ `limit` that does not fall inside a UTF-8 sequence (continuation bytes are 10xxxxxx). */
function characterBoundary(bytes: Buffer, limit: number): number {
  let cut = limit;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return cut === 0 ? limit : cut;
}
