import { afterEach, describe, expect, it } from "vitest";
import { createLogBook, type LogBook } from "../../src/logs/log-book.js";
import { handleLogs } from "../../src/logs/logs-route.js";
import { cleanUp, makeTempDir, serve } from "../support/serve.js";

const START = Date.parse("2026-11-22T10:00:00.000Z");
const books: LogBook[] = [];

/** A book with entries a..d of `fn` (instances fn-1/fn-2, one second apart) behind a real server. */
async function serveBook(): Promise<{ url: string; book: LogBook; followers: () => number }> {
  let at = START;
  const book = createLogBook({ dir: await makeTempDir(), now: () => new Date(at) });
  books.push(book);
  for (const [instance, text] of [
    ["fn-1", "a"],
    ["fn-2", "b"],
    ["fn-1", "c"],
    ["fn-2", "d"],
  ] as const) {
    book.note("fn", instance, text);
    at += 1000;
  }
  // Counts the followers the route holds, to see that it lets go of them.
  let active = 0;
  const counting: LogBook = {
    ...book,
    follow(name, listener, onClose) {
      const stop = book.follow(name, listener, onClose);
      active++;
      let stopped = false;
      return () => {
        if (!stopped) active--;
        stopped = true;
        stop();
      };
    },
  };
  const url = await serve((req, res) => {
    handleLogs(counting, (name) => name === "fn", req, res, new URL(req.url ?? "/", "http://gateway"));
  });
  return { url, book, followers: () => active };
}

async function lines(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function textsOf(url: string): Promise<string[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  expect(response.status).toBe(200);
  return (await lines(response)).map((line) => String(line.text));
}

/** Reads a streaming body until it holds `count` lines (bounded by the test's own abort). */
async function readLines(reader: ReadableStreamDefaultReader<Uint8Array>, count: number): Promise<string[]> {
  const decoder = new TextDecoder();
  let text = "";
  while (text.split("\n").length - 1 < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text.split("\n").filter((line) => line !== "");
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

afterEach(async () => {
  await cleanUp();
  await Promise.all(books.splice(0).map((book) => book.close()));
});

describe("GET /system/logs", () => {
  it("answers NDJSON: one faas-provider log message per line", async () => {
    const { url } = await serveBook();
    const response = await fetch(`${url}/system/logs?name=fn&namespace=openfaas-fn&follow=false`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const messages = await lines(response);
    expect(messages).toHaveLength(4);
    expect(messages[0]).toEqual({
      name: "fn",
      namespace: "openfaas-fn",
      instance: "fn-1",
      timestamp: "2026-11-22T10:00:00.000000000Z",
      text: "a",
    });
    for (const message of messages)
      expect(Object.keys(message)).toEqual(["name", "namespace", "instance", "timestamp", "text"]);
  });

  it("applies tail, instance and since", async () => {
    const { url } = await serveBook();
    const base = `${url}/system/logs?name=fn`;
    expect(await textsOf(base)).toEqual(["a", "b", "c", "d"]);
    expect(await textsOf(`${base}&tail=2`)).toEqual(["c", "d"]);
    expect(await textsOf(`${base}&tail=-1`)).toEqual(["a", "b", "c", "d"]);
    expect(await textsOf(`${base}&instance=fn-2`)).toEqual(["b", "d"]);
    expect(await textsOf(`${base}&instance=fn-2&tail=1`)).toEqual(["d"]);
    // faas-cli formats since with time.RFC3339, often with the local zone's offset.
    expect(await textsOf(`${base}&since=${encodeURIComponent("2026-11-22T11:00:02+01:00")}`)).toEqual(["c", "d"]);
    expect(await textsOf(`${base}&since=2026-11-22T10:00:01.5Z`)).toEqual(["c", "d"]);
    expect(await textsOf(`${base}&since=2026-11-23T00:00:00Z`)).toEqual([]);
  });

  it.each([
    ["", 400, "missing-parameter"],
    ["?namespace=openfaas-fn", 400, "missing-parameter"],
    ["?name=fn&tail=ten", 400, "bad-parameter"],
    ["?name=fn&tail=1.5", 400, "bad-parameter"],
    ["?name=fn&since=yesterday", 400, "bad-parameter"],
    ["?name=fn&since=1732269600", 400, "bad-parameter"],
    ["?name=fn&follow=maybe", 400, "bad-parameter"],
    ["?name=nope", 404, "function-not-found"],
    ["?name=..%2Fetc", 404, "function-not-found"],
    ["?name=fn&namespace=kube-system", 404, "namespace-not-found"],
  ])("answers %s with %i problem+json", async (query, status, type) => {
    const { url } = await serveBook();
    const response = await fetch(`${url}/system/logs${query}`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as { type: string; status: number };
    expect(problem.type).toBe(`https://coffee-edge.dev/problems/${type}`);
    expect(problem.status).toBe(status);
  });

  it("answers other methods with 405 and Allow", async () => {
    const { url } = await serveBook();
    const response = await fetch(`${url}/system/logs?name=fn`, { method: "POST", signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
    await response.body?.cancel();
  });

  it("with follow=true sends the kept lines, then each new line, and lets go when the client leaves", async () => {
    const { url, book, followers } = await serveBook();
    const client = new AbortController();
    const timeout = setTimeout(() => client.abort(), 10_000);
    try {
      const response = await fetch(`${url}/system/logs?name=fn&follow=true&tail=1&instance=fn-1`, {
        signal: client.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/x-ndjson");
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      expect((await readLines(reader, 1)).map((line) => JSON.parse(line).text)).toEqual(["c"]);
      expect(followers()).toBe(1);

      // Written after the request: arrives on the open answer; another replica's line does not.
      book.note("fn", "fn-2", "not mine");
      book.note("fn", "fn-1", "fresh");
      const [fresh] = await readLines(reader, 1);
      expect(JSON.parse(fresh ?? "null")).toMatchObject({ name: "fn", instance: "fn-1", text: "fresh" });

      client.abort();
      await waitUntil(() => followers() === 0);
    } finally {
      clearTimeout(timeout);
      client.abort();
    }
  });

  it("with follow=true ends the answer when the book closes", async () => {
    const { url, book, followers } = await serveBook();
    const response = await fetch(`${url}/system/logs?name=fn&follow=1`, { signal: AbortSignal.timeout(10_000) });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readLines(reader, 4)).toHaveLength(4);
    await book.close();
    // The stream ends (done), and the route has let go of the book.
    expect((await reader.read()).done).toBe(true);
    expect(followers()).toBe(0);
  });
});
