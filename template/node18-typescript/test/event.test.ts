import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../src/testing.js";
import type { FunctionEvent, Handler } from "../src/types.js";

/** A handler that answers with what it saw, describing the body's type so Buffers are visible. */
const mirror: Handler = (event) => ({
  bodyType: Buffer.isBuffer(event.body) ? "buffer" : event.body === undefined ? "undefined" : typeof event.body,
  body: Buffer.isBuffer(event.body) ? event.body.toString("base64") : event.body,
  headers: event.headers,
  method: event.method,
  path: event.path,
  query: event.query,
});

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(handler: Handler, env: Record<string, string> = {}) {
  server = await startTestServer(handler, { env });
  return server;
}

async function seen(res: Response): Promise<{ bodyType: string } & FunctionEvent> {
  expect(res.status).toBe(200);
  return (await res.json()) as { bodyType: string } & FunctionEvent;
}

describe("event.body", () => {
  it("refuses JSON that is not valid UTF-8 with a 400 problem, instead of passing U+FFFD on", async () => {
    const { url } = await serve(mirror);
    for (const bytes of [[0xff], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const body = Buffer.concat([Buffer.from('{"orderId":"a'), Buffer.from(bytes), Buffer.from('"}')]);
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ type: "https://coffee-edge.dev/problems/malformed-json" });
    }
    const fine = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":"é☕"}',
    });
    expect(await seen(fine)).toMatchObject({ body: { a: "é☕" } });
  });

  it("is the parsed value for application/json and application/*+json", async () => {
    const { url } = await serve(mirror);
    for (const type of ["application/json", "application/json; charset=utf-8", "application/cloudevents+json"]) {
      const got = await seen(
        await fetch(url, { method: "POST", headers: { "content-type": type }, body: '{"a":[1,2]}' }),
      );
      expect(got).toMatchObject({ bodyType: "object", body: { a: [1, 2] } });
    }
  });

  it("is a string for text/* in the declared charset", async () => {
    const { url } = await serve(mirror);
    const utf8 = await seen(
      await fetch(url, { method: "POST", headers: { "content-type": "text/plain" }, body: "café" }),
    );
    expect(utf8).toMatchObject({ bodyType: "string", body: "café" });
    const latin1 = await seen(
      await fetch(url, {
        method: "POST",
        headers: { "content-type": "text/csv; charset=latin1" },
        body: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
      }),
    );
    expect(latin1.body).toBe("café");
  });

  it("is an object of strings for form data, repeated keys as arrays", async () => {
    const { url } = await serve(mirror);
    const got = await seen(
      await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "a=1&b=2&b=3",
      }),
    );
    expect(got.body).toEqual({ a: "1", b: ["2", "3"] });
  });

  it("is a Buffer when RAW_BODY=true, whatever the content type", async () => {
    const { url } = await serve(mirror, { RAW_BODY: "true" });
    const got = await seen(
      await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' }),
    );
    expect(got.bodyType).toBe("buffer");
    expect(Buffer.from(got.body as string, "base64").toString()).toBe('{"a":1}');
  });

  it("is a Buffer for content types it does not parse (nothing is lost)", async () => {
    const { url } = await serve(mirror);
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]);
    const got = await seen(
      await fetch(url, { method: "POST", headers: { "content-type": "image/jpeg" }, body: bytes }),
    );
    expect(got.bodyType).toBe("buffer");
    expect(Buffer.from(got.body as string, "base64")).toEqual(bytes);
  });

  it("is undefined when there is no body, for every content type; an empty Buffer when RAW_BODY=true", async () => {
    const { url } = await serve(mirror);
    expect((await seen(await fetch(url))).bodyType).toBe("undefined");
    for (const type of ["application/json", "text/plain", "image/png"]) {
      const got = await seen(await fetch(url, { method: "POST", headers: { "content-type": type }, body: "" }));
      expect(got.bodyType, type).toBe(type === "image/png" ? "buffer" : "undefined");
    }
    await server?.close();
    const raw = await serve(mirror, { RAW_BODY: "true" });
    const got = await seen(await fetch(raw.url, { method: "POST", body: "" }));
    expect(got).toMatchObject({ bodyType: "buffer", body: "" });
  });

  it("is read as text when the request has no content type, as node18 does", async () => {
    const { url } = await serve(mirror);
    const got = await seen(await fetch(url, { method: "POST", body: new Blob(["plain words"]) }));
    expect(got).toMatchObject({ bodyType: "string", body: "plain words" });
    expect(got.headers["content-type"]).toBeUndefined();
  });
});

describe("event.query, path, headers and method", () => {
  it("parses the query, keeps the path without it, and lower-cases header names", async () => {
    const { url } = await serve(mirror);
    const got = await seen(
      await fetch(`${url}/orders/42?store=store042&tag=a&tag=b`, { headers: { "X-Store-ID": "store042" } }),
    );
    expect(got.path).toBe("/orders/42");
    expect(got.query).toEqual({ store: "store042", tag: ["a", "b"] });
    expect(got.headers["x-store-id"]).toBe("store042");
    expect(got.method).toBe("GET");
  });

  it("accepts every method OpenFaaS proxies", async () => {
    const echoMethod: Handler = (event, context) => {
      context.headers({ "x-seen-method": event.method }).succeed({ method: event.method });
    };
    const { url } = await serve(echoMethod);
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]) {
      const res = await fetch(url, { method });
      expect(res.status, method).toBe(200);
      expect(res.headers.get("x-seen-method"), method).toBe(method);
      const text = await res.text();
      expect(text, method).toBe(method === "HEAD" ? "" : JSON.stringify({ method }));
    }
  });
});

describe("bodies the shell refuses", () => {
  it("answers malformed JSON with a 400 problem and keeps serving", async () => {
    const { url } = await serve(mirror);
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":' });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as { detail: string };
    expect(problem).toMatchObject({
      status: 400,
      title: "Malformed JSON",
      type: expect.stringMatching(/malformed-json$/),
    });
    expect(problem.detail).toMatch(/not valid JSON/);
    expect((await fetch(url)).status).toBe(200);
  });

  it("answers a JSON body over MAX_JSON_SIZE with 413, declared or streamed", async () => {
    const { url } = await serve(mirror, { MAX_JSON_SIZE: "1kb" });
    const big = JSON.stringify({ pad: "x".repeat(2000) });
    const declared = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect(declared.headers.get("content-type")).toBe("application/problem+json");
    expect(await declared.json()).toMatchObject({ status: 413, detail: expect.stringContaining("MAX_JSON_SIZE") });

    const streamed = await postChunked(url, "application/json", [big.slice(0, 600), big.slice(600)]);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.body)).toMatchObject({ status: 413 });
    expect(
      (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status,
    ).toBe(200);
  });

  it("answers a raw body over MAX_RAW_SIZE with 413", async () => {
    const { url } = await serve(mirror, { RAW_BODY: "true", MAX_RAW_SIZE: "2kb" });
    const res = await fetch(url, { method: "POST", body: Buffer.alloc(4096, 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, detail: expect.stringContaining("MAX_RAW_SIZE") });
    expect((await fetch(url, { method: "POST", body: Buffer.alloc(1024, 1) })).status).toBe(200);
  });
});

/** Sends a chunked body (no Content-Length), so the limit is enforced while reading. */
function postChunked(url: string, contentType: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": contentType } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (text: string) => {
        body += text;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
