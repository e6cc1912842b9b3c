import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { exampleOrder } from "./example-order.js";
import defaultHandler, { createHandler } from "./handler.js";
import { pdfText } from "./pdf-text.js";

function post(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

async function problem(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  return (await res.json()) as Record<string, unknown>;
}

describe("receipt over HTTP", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(createHandler({ config: loadConfig({ RECEIPT_TIME_ZONE: "Europe/Paris" }) }));
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers an order with its receipt as an inline PDF", async () => {
    const res = await post(server, exampleOrder);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toBe('inline; filename="receipt-ord-2025-000123.pdf"');
    expect(res.headers.get("cache-control")).toBe("no-store");
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const text = pdfText(pdf);
    expect(text).toContain("Receipt for order ord-2025-000123");
    expect(text).toContain("Paid Mar 14, 2025, 9:15:02 AM GMT+1");
    expect(text).toContain("€16.06");
  });

  it("answers the same order with the same bytes, as a retried async call would get", async () => {
    const first = Buffer.from(await (await post(server, exampleOrder)).arrayBuffer());
    const second = Buffer.from(
      await (await post(server, exampleOrder, { "x-callback-url": "http://127.0.0.1:9/cb" })).arrayBuffer(),
    );
    expect(second.equals(first)).toBe(true);
  });

  it("keeps an order id that is unsafe as a filename out of the header", async () => {
    const res = await post(server, { ...exampleOrder, orderId: 'A"1/2\\3 ;x' });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('inline; filename="receipt-A_1_2_3__x.pdf"');
    expect(pdfText(Buffer.from(await res.arrayBuffer()))).toContain('Receipt for order A"1/2\\3 ;x');
  });

  it("answers totals that do not add up with 422 totals-mismatch", async () => {
    const res = await post(server, { ...exampleOrder, totals: { ...exampleOrder.totals, total: 1600 } });
    expect(res.status).toBe(422);
    const body = await problem(res);
    expect(body.type).toBe("https://coffee-edge.dev/problems/totals-mismatch");
    expect(body.mismatches).toEqual([{ pointer: "/totals/total", expected: 1606, actual: 1600 }]);
  });

  it("answers a body that breaks the schema with 400 invalid-request pointing at the member", async () => {
    const res = await post(server, { ...exampleOrder, items: [{ ...exampleOrder.items[0], quantity: 0 }] });
    expect(res.status).toBe(400);
    const body = await problem(res);
    expect(body.type).toBe("https://coffee-edge.dev/problems/invalid-request");
    expect(body.errors).toEqual([expect.objectContaining({ pointer: "/items/0/quantity", keyword: "minimum" })]);
  });

  it("refuses unknown members", async () => {
    const res = await post(server, { ...exampleOrder, discount: 100 });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([expect.objectContaining({ pointer: "/discount" })]);
  });

  it("answers a paidAt the schema admits but no Date can read (a leap second) with 400", async () => {
    const res = await post(server, { ...exampleOrder, paidAt: "2016-12-31T23:59:60Z" });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([expect.objectContaining({ pointer: "/paidAt" })]);
  });

  it("answers a body that is not JSON with 415", async () => {
    const res = await post(server, JSON.stringify(exampleOrder), { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect((await problem(res)).type).toBe("https://coffee-edge.dev/problems/unsupported-media-type");
  });

  it("answers other methods with 405 and Allow: POST", async () => {
    const res = await fetch(server.url, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await problem(res)).type).toBe("https://coffee-edge.dev/problems/method-not-allowed");
  });

  it("answers the build proof's {hello: world} with a 4xx problem", async () => {
    const res = await post(server, { hello: "world" });
    expect(res.status).toBe(400);
    await problem(res);
  });
});

describe("the order of the work", () => {
  it("validates before rendering: a bad order never reaches the renderer, a good one once", async () => {
    const rendered: string[] = [];
    const server = await startTestServer(
      createHandler({
        config: loadConfig({}),
        render: async (order) => {
          rendered.push(order.orderId);
          return Buffer.from("%PDF-stub");
        },
      }),
    );
    try {
      expect((await post(server, { ...exampleOrder, totals: { ...exampleOrder.totals, tax: 0 } })).status).toBe(422);
      expect((await post(server, { ...exampleOrder, paidAt: "yesterday" })).status).toBe(400);
      expect(rendered).toEqual([]);
      const res = await post(server, exampleOrder);
      expect(Buffer.from(await res.arrayBuffer()).toString()).toBe("%PDF-stub");
      expect(rendered).toEqual(["ord-2025-000123"]);
    } finally {
      await server.close();
    }
  });
});

describe("the default export", () => {
  it("is the handler configured from the process environment", async () => {
    const server = await startTestServer(defaultHandler);
    try {
      const res = await post(server, exampleOrder);
      expect(res.status).toBe(200);
      expect(pdfText(Buffer.from(await res.arrayBuffer()))).toContain("Paid Mar 14, 2025, 8:15:02 AM UTC");
    } finally {
      await server.close();
    }
  });
});
