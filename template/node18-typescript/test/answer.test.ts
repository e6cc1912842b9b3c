import { afterEach, describe, expect, it } from "vitest";
import { ProblemError } from "../src/problem.js";
import { startTestServer, type TestServer } from "../src/testing.js";
import type { Handler } from "../src/types.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Serves `handler` (closing the previous server first) and makes one request. */
async function call(handler: Handler, init: RequestInit = {}): Promise<Response> {
  await server?.close();
  server = await startTestServer(handler);
  return fetch(server.url, init);
}

async function expectProblem(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
  return body as { detail?: string; title: string; type: string };
}

describe("successful answers", () => {
  it("status(201).headers({...}).succeed(obj) answers 201 with those headers and JSON", async () => {
    const res = await call((_event, context) => {
      context.status(201).headers({ location: "/orders/1", "x-store": "store042" }).succeed({ id: 1 });
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/orders/1");
    expect(res.headers.get("x-store")).toBe("store042");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ id: 1 });
  });

  it("a returned value equals succeed(value)", async () => {
    const returned = await call(async () => ({ ok: true }));
    const succeeded = await call((_e, context) => context.succeed({ ok: true }));
    for (const res of [returned, succeeded]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(await res.text()).toBe('{"ok":true}');
    }
  });

  it("sends a string as text and a Buffer as bytes", async () => {
    const text = await call(() => "hello");
    expect(text.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(await text.text()).toBe("hello");
    const bytes = await call(() => Buffer.from([1, 2, 3]));
    expect(bytes.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
  });

  it("keeps the content-type the handler set, for strings, Buffers and objects", async () => {
    const html = await call((_e, c) => c.headers({ "Content-Type": "text/html" }).succeed("<p>hi</p>"));
    expect(html.headers.get("content-type")).toBe("text/html");
    const jpeg = await call((_e, c) => c.headers({ "content-type": "image/jpeg" }).succeed(Buffer.from([0xff, 0xd8])));
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    const event = await call((_e, c) =>
      c.headers({ "content-type": "application/cloudevents+json" }).succeed({ a: 1 }),
    );
    expect(event.headers.get("content-type")).toBe("application/cloudevents+json");
    expect(await event.json()).toEqual({ a: 1 });
  });

  it("answers an empty body for undefined, and none at all for 204", async () => {
    const empty = await call(() => undefined);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("");
    const noContent = await call((_e, c) => c.status(204).succeed());
    expect(noContent.status).toBe(204);
    expect(noContent.headers.get("content-length")).toBeNull();
  });

  it("runs OpenFaaS's node18 sample handler unchanged", async () => {
    // The body of openfaas/templates node18 function/handler.js, typed.
    const node18Sample: Handler = async (event, context) => {
      const result = { body: JSON.stringify(event.body), "content-type": event.headers["content-type"] };
      return context.status(200).succeed(result);
    };
    const res = await call(node18Sample, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ body: '{"a":1}', "content-type": "application/json" });
  });
});

describe("error answers", () => {
  it("fail(x) answers 500 when no status was set, or one below 400", async () => {
    expect((await expectProblem(await call((_e, c) => c.fail("no stock")), 500)).detail).toBe("no stock");
    await expectProblem(await call((_e, c) => c.status(302).fail("redirect?")), 500);
  });

  it("fail(x) answers the error status set before it", async () => {
    const body = await expectProblem(await call((_e, c) => c.status(409).fail("order already paid")), 409);
    expect(body).toMatchObject({ title: "Conflict", detail: "order already paid", type: "about:blank" });
  });

  it("fail(problem object) sends its members", async () => {
    const res = await call((_e, c) =>
      c.status(402).fail({
        type: "https://example.test/insufficient-funds",
        title: "Insufficient balance",
        detail: "short by 120",
        balance: 30,
      }),
    );
    const body = await expectProblem(res, 402);
    expect(body).toEqual({
      type: "https://example.test/insufficient-funds",
      title: "Insufficient balance",
      status: 402,
      detail: "short by 120",
      balance: 30,
    });
  });

  it("a thrown error carrying a 4xx status or statusCode answers that status with its message", async () => {
    const withStatus = await call(() => {
      throw Object.assign(new Error("sku espresso-beans unknown"), { status: 404 });
    });
    expect((await expectProblem(withStatus, 404)).detail).toBe("sku espresso-beans unknown");
    const withStatusCode = await call(async () => {
      throw Object.assign(new Error("slow down"), { statusCode: 429 });
    });
    await expectProblem(withStatusCode, 429);
  });

  it("a thrown 5xx error answers its status without the internal message", async () => {
    const res = await call(() => {
      throw Object.assign(new Error("postgres://admin:hunter2@db/coffee refused"), { statusCode: 503 });
    });
    const body = await expectProblem(res, 503);
    expect(JSON.stringify(body)).not.toMatch(/hunter2|postgres/);
  });

  it("any other thrown error answers 500 with a generic detail: no stack, no message", async () => {
    const res = await call(() => {
      throw new Error("secret-token-123 leaked");
    });
    const text = await res.clone().text();
    await expectProblem(res, 500);
    expect(text).not.toMatch(/secret-token-123|at .*\.ts|Error:/);
    const logged = server?.logs.find((line) => line.msg === "the handler failed");
    expect(logged).toMatchObject({ level: "error", status: 500 });
  });

  it("a thrown ProblemError answers exactly as built", async () => {
    const res = await call(() => {
      throw new ProblemError(422, {
        type: "https://example.test/bad-order",
        title: "Bad order",
        detail: "no items",
        extensions: { field: "items" },
      });
    });
    expect(await expectProblem(res, 422)).toEqual({
      type: "https://example.test/bad-order",
      title: "Bad order",
      status: 422,
      detail: "no items",
      field: "items",
    });
  });

  it("keeps the handler's headers on the error path (fail, throw with status, plain throw)", async () => {
    const handlers: Handler[] = [
      (_e, c) => c.status(400).headers({ "x-request-kind": "order", "content-type": "image/png" }).fail("bad"),
      (_e, c) => {
        c.headers({ "x-request-kind": "order" });
        throw Object.assign(new Error("gone"), { status: 410 });
      },
      (_e, c) => {
        c.headers({ "x-request-kind": "order" });
        throw new Error("boom");
      },
    ];
    for (const [index, handler] of handlers.entries()) {
      const res = await call(handler);
      expect(res.headers.get("x-request-kind"), `handler ${index}`).toBe("order");
      expect(res.headers.get("content-type"), `handler ${index}`).toBe("application/problem+json");
    }
  });

  it("answers 500 when the value cannot be serialised, keeping the process up", async () => {
    const res = await call(() => ({ big: 10n }));
    await expectProblem(res, 500);
    expect((await fetch(server?.url ?? "")).status).toBe(500);
  });
});

describe("answering once", () => {
  it("ignores and logs a second answer", async () => {
    const res = await call((_e, context) => {
      context.status(201).succeed({ first: true });
      context.fail("second");
      context.succeed({ third: true });
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ first: true });
    const warnings = server?.logs.filter((line) => line.level === "warn") ?? [];
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.msg).toMatch(/answered more than once/);
  });

  it("ignores a value returned after succeed, and an error thrown after it", async () => {
    const returned = await call(async (_e, context) => {
      context.succeed("first");
      return "second";
    });
    expect(await returned.text()).toBe("first");
    const thrown = await call(async (_e, context) => {
      context.succeed("first");
      throw new Error("late");
    });
    expect(thrown.status).toBe(200);
    expect(await thrown.text()).toBe("first");
  });
});
