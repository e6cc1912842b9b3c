import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createLogBook, type LogBook, type LogBookOptions } from "../../src/logs/log-book.js";
import type { LogEntry } from "../../src/logs/log-entry.js";
import { cleanUp, makeTempDir } from "../support/serve.js";

const START = Date.parse("2026-11-22T10:00:00.123Z");

/** A clock the test moves by hand, so timestamps and `since` filters are exact. */
function manualClock(): { now: () => Date; advance: (ms: number) => void } {
  let at = START;
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

const books: LogBook[] = [];
function openBook(options: LogBookOptions): LogBook {
  const book = createLogBook(options);
  books.push(book);
  return book;
}

async function print(stream: Writable, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.write(text, (error) => (error ? reject(error) : resolve())));
}

async function printAndEnd(stream: Writable, text: string): Promise<void> {
  stream.end(text);
  await finished(stream);
}

function texts(entries: LogEntry[]): string[] {
  return entries.map((entry) => entry.text);
}

function readNdjson(file: string): unknown[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line));
}

afterEach(async () => {
  await Promise.all(books.splice(0).map((book) => book.close()));
  await cleanUp();
});

describe("createLogBook", () => {
  it("turns a replica's stdout and stderr lines into entries shaped like faas-provider's log messages", async () => {
    const dir = await makeTempDir();
    const clock = manualClock();
    const book = openBook({ dir, now: clock.now });
    const { stdout, stderr } = book.stream("figlet", "figlet-1");
    await print(stdout, "hello ");
    await print(stdout, "world\n");
    clock.advance(1000);
    await printAndEnd(stderr, "oops");

    expect(book.query({ name: "figlet" })).toEqual([
      {
        name: "figlet",
        namespace: "openfaas-fn",
        instance: "figlet-1",
        timestamp: "2026-11-22T10:00:00.123000000Z",
        text: "hello world",
      },
      {
        name: "figlet",
        namespace: "openfaas-fn",
        instance: "figlet-1",
        timestamp: "2026-11-22T10:00:01.123000000Z",
        text: "oops",
      },
    ]);
  });

  it("appends every entry to <function>.log as NDJSON, in a 0700 folder, file mode 0600", async () => {
    const dir = path.join(await makeTempDir(), "logs");
    const book = openBook({ dir, now: manualClock().now });
    book.note("figlet", "gateway", "replica 1 started");
    await printAndEnd(book.stream("figlet", "figlet-1").stdout, "a\nb\n");
    await book.flush();

    const file = path.join(dir, "figlet.log");
    expect(readNdjson(file)).toEqual(book.query({ name: "figlet" }));
    expect(texts(book.query({ name: "figlet" }))).toEqual(["replica 1 started", "a", "b"]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("keeps only the newest keepPerFunction entries of each function in memory", async () => {
    const dir = await makeTempDir();
    const book = openBook({ dir, keepPerFunction: 3 });
    await printAndEnd(book.stream("one", "one-1").stdout, "1\n2\n3\n4\n5\n");
    book.note("two", "two-1", "only");
    expect(texts(book.query({ name: "one" }))).toEqual(["3", "4", "5"]);
    expect(texts(book.query({ name: "two" }))).toEqual(["only"]);
  });

  it("filters by instance and since, then keeps the last `tail` of what matches", async () => {
    const dir = await makeTempDir();
    const clock = manualClock();
    const book = openBook({ dir, now: clock.now });
    for (const [instance, text] of [
      ["fn-1", "a"],
      ["fn-2", "b"],
      ["fn-1", "c"],
      ["fn-2", "d"],
      ["fn-1", "e"],
    ] as const) {
      book.note("fn", instance, text);
      clock.advance(1000);
    }

    expect(texts(book.query({ name: "fn", instance: "fn-1" }))).toEqual(["a", "c", "e"]);
    expect(texts(book.query({ name: "fn", tail: 2 }))).toEqual(["d", "e"]);
    expect(texts(book.query({ name: "fn", tail: 0 }))).toEqual(["a", "b", "c", "d", "e"]);
    expect(texts(book.query({ name: "fn", tail: -1 }))).toEqual(["a", "b", "c", "d", "e"]);
    // "at or after": the entry stamped exactly at `since` is included.
    const third = new Date(START + 2000);
    expect(texts(book.query({ name: "fn", since: third }))).toEqual(["c", "d", "e"]);
    expect(texts(book.query({ name: "fn", since: new Date(START + 2001) }))).toEqual(["d", "e"]);
    expect(texts(book.query({ name: "fn", instance: "fn-1", since: third, tail: 1 }))).toEqual(["e"]);
    expect(book.query({ name: "fn", instance: "fn-9" })).toEqual([]);
    expect(book.query({ name: "never-ran" })).toEqual([]);
  });

  it("splits a multi-line note into entries and skips its blank lines", async () => {
    const book = openBook({ dir: await makeTempDir() });
    book.note("fn", "gateway", "first\n\nsecond\r\n");
    expect(texts(book.query({ name: "fn" }))).toEqual(["first", "second"]);
  });

  it("refills each function's memory from the tail of its file after a restart", async () => {
    const dir = await makeTempDir();
    const clock = manualClock();
    const before = createLogBook({ dir, now: clock.now });
    await printAndEnd(before.stream("fn", "fn-1").stdout, "1\n2\n3\n4\n5\n");
    await before.close();

    const echoed: LogEntry[] = [];
    const after = openBook({ dir, keepPerFunction: 3, echo: (entry) => echoed.push(entry) });
    const restored = after.query({ name: "fn" });
    expect(texts(restored)).toEqual(["3", "4", "5"]);
    expect(restored[0]).toEqual({
      name: "fn",
      namespace: "openfaas-fn",
      instance: "fn-1",
      timestamp: "2026-11-22T10:00:00.123000000Z",
      text: "3",
    });
    // The since filter works on restored entries, and restored entries are not echoed again.
    expect(texts(after.query({ name: "fn", since: new Date(START) }))).toEqual(["3", "4", "5"]);
    expect(echoed).toEqual([]);

    after.note("fn", "gateway", "6");
    expect(texts(after.query({ name: "fn" }))).toEqual(["4", "5", "6"]);
    await after.flush();
    expect(readNdjson(path.join(dir, "fn.log"))).toHaveLength(6);
  });

  it("reads at most restoreBytes from the end of the file and skips lines that are not entries", async () => {
    const dir = await makeTempDir();
    const entry = (text: string): string =>
      `${JSON.stringify({ name: "fn", namespace: "openfaas-fn", instance: "fn-1", timestamp: "2026-11-22T10:00:00.000000000Z", text })}\n`;
    const tail = `${entry("old-2")}{"torn":\nnot json\n${entry("new")}`;
    writeFileSync(path.join(dir, "fn.log"), `${entry("old-1")}${tail}`);

    const book = openBook({ dir, restoreBytes: Buffer.byteLength(tail) + 5 });
    // "old-1" lies (mostly) before the window: its cut remainder is skipped, not misread.
    expect(texts(book.query({ name: "fn" }))).toEqual(["old-2", "new"]);
  });

  it("starts a new file past maxFileBytes and restores across the old and the new one", async () => {
    const dir = await makeTempDir();
    const before = createLogBook({ dir, maxFileBytes: 400 });
    for (let i = 1; i <= 6; i++) {
      before.note("fn", "fn-1", `line ${i}`);
      await before.flush();
    }
    await before.close();
    expect(statSync(path.join(dir, "fn.log.1")).size).toBeLessThanOrEqual(400);
    expect(statSync(path.join(dir, "fn.log")).size).toBeLessThanOrEqual(400);

    const after = openBook({ dir });
    expect(texts(after.query({ name: "fn" }))).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"]);
  });

  it("echoes every new entry and tells followers until they stop", async () => {
    const echoed: string[] = [];
    const book = openBook({ dir: await makeTempDir(), echo: (entry) => echoed.push(`${entry.name}: ${entry.text}`) });
    const followed: string[] = [];
    const stop = book.follow("fn", (entry) => followed.push(entry.text));
    const others: string[] = [];
    book.follow("other", (entry) => others.push(entry.text));

    book.note("fn", "fn-1", "one");
    await printAndEnd(book.stream("fn", "fn-1").stdout, "two\n");
    stop();
    book.note("fn", "fn-1", "three");

    expect(followed).toEqual(["one", "two"]);
    expect(others).toEqual([]);
    expect(echoed).toEqual(["fn: one", "fn: two", "fn: three"]);
  });

  it("keeps going when a follower or the echo throws", async () => {
    const book = openBook({
      dir: await makeTempDir(),
      echo: () => {
        throw new Error("printer broke");
      },
    });
    book.follow("fn", () => {
      throw new Error("follower broke");
    });
    const followed: string[] = [];
    book.follow("fn", (entry) => followed.push(entry.text));
    await printAndEnd(book.stream("fn", "fn-1").stdout, "a\nb\n");
    expect(followed).toEqual(["a", "b"]);
    expect(texts(book.query({ name: "fn" }))).toEqual(["a", "b"]);
  });

  it("ends its follow streams when the gateway stops, yet keeps recording", async () => {
    const book = openBook({ dir: await makeTempDir() });
    const ended: string[] = [];
    const followed: string[] = [];
    book.follow(
      "fn",
      (entry) => followed.push(entry.text),
      () => ended.push("early"),
    );
    book.endFollowing();
    book.follow(
      "fn",
      (entry) => followed.push(entry.text),
      () => ended.push("late"),
    );
    await Promise.resolve();
    book.note("fn", "fn-1", "still kept");
    expect(ended).toEqual(["early", "late"]);
    expect(followed).toEqual([]);
    expect(texts(book.query({ name: "fn" }))).toEqual(["still kept"]);
  });

  it("ends its followers when it closes", async () => {
    const book = createLogBook({ dir: await makeTempDir() });
    let ended = 0;
    book.follow(
      "fn",
      () => undefined,
      () => ended++,
    );
    await book.close();
    expect(ended).toBe(1);
  });

  it("reports a file it cannot write and still keeps the entries in memory", async () => {
    const dir = await makeTempDir();
    mkdirSync(path.join(dir, "fn.log")); // a folder where the file should be: open(2) fails
    const errors: string[] = [];
    const book = openBook({ dir, onFileError: (name) => errors.push(name) });
    book.note("fn", "fn-1", "still here");
    await book.flush();
    // Once for the unreadable old log, once for the failed append.
    expect(errors).toEqual(["fn", "fn"]);
    expect(texts(book.query({ name: "fn" }))).toEqual(["still here"]);
  });

  it("forgets a removed function in memory and on disk", async () => {
    const dir = await makeTempDir();
    const book = openBook({ dir });
    book.note("fn", "fn-1", "bye");
    await book.flush();
    await book.forget("fn");
    expect(() => statSync(path.join(dir, "fn.log"))).toThrow(/ENOENT/);
    expect(book.query({ name: "fn" })).toEqual([]);
  });

  it.each(["../x", "a/b", ".", "..", "", "Upper", ".hidden"])("refuses the function name %j", async (name) => {
    const book = openBook({ dir: await makeTempDir() });
    expect(() => book.stream(name, "i")).toThrow(TypeError);
    expect(() => book.note(name, "i", "t")).toThrow(TypeError);
    expect(() => book.query({ name })).toThrow(TypeError);
  });
});
