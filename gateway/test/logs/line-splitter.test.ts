import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { createLineSplitter } from "../../src/logs/line-splitter.js";

async function split(chunks: Array<string | Buffer>, maxLineBytes?: number): Promise<string[]> {
  const lines: string[] = [];
  const sink = createLineSplitter((line) => lines.push(line), maxLineBytes);
  for (const chunk of chunks) await write(sink, chunk);
  sink.end();
  await finished(sink);
  return lines;
}

function write(sink: Writable, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => sink.write(chunk, (error) => (error ? reject(error) : resolve())));
}

describe("createLineSplitter", () => {
  it("joins a line that spans chunks and delivers the unterminated last line at the end", async () => {
    expect(await split(["hel", "lo\nwor", "ld\nlast", " words"])).toEqual(["hello", "world", "last words"]);
  });

  it("drops empty and blank lines and the \\r of CRLF output", async () => {
    expect(await split(["a\r\n\r\n\n   \n\tb\r\n"])).toEqual(["a", "\tb"]);
  });

  it("delivers one line per newline even when a chunk holds many", async () => {
    expect(await split(["1\n2\n3\n"])).toEqual(["1", "2", "3"]);
  });

  it("cuts an over-long line into pieces of at most maxLineBytes, losing nothing", async () => {
    expect(await split(["0123456789", "abcdef01\nnext\n"], 8)).toEqual(["01234567", "89abcdef", "01", "next"]);
  });

  it("never cuts inside a UTF-8 character, even when the character spans chunks", async () => {
    const bytes = Buffer.from("aé€\n");
    // Split "é" (2 bytes) across two writes.
    const lines = await split([bytes.subarray(0, 2), bytes.subarray(2)], 4);
    expect(lines).toEqual(["aé", "€"]);
  });

  it("keeps the partial line of a stream destroyed mid-line", async () => {
    const lines: string[] = [];
    const sink = createLineSplitter((line) => lines.push(line));
    await write(sink, "complete\nhalf a li");
    sink.destroy();
    await finished(sink).catch(() => undefined);
    expect(lines).toEqual(["complete", "half a li"]);
  });
});
