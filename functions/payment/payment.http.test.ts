import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { PaymentProcessor } from "./processor.js";
import {
  API_KEY,
  bearer,
  CountingProcessor,
  FlakyProcessor,
  postPayment,
  type ServedPayment,
  servePayment,
  uniqueOrderId,
  validPayment,
} from "./test-support.js";

const PROBLEM = "application/problem+json";
const FIXED_NOW = new Date("2025-03-01T08:30:00.000Z");

let dir: string;
let databaseUrl: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "payment-http-"));
  databaseUrl = `sqlite:${join(dir, "payment.db")}`;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let served: ServedPayment | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

async function serve<P extends PaymentProcessor>(processor: P) {
  served = await servePayment(databaseUrl, { processor, clock: () => FIXED_NOW });
  return { url: served.url, processor };
}

async function problemOf(res: Response, status: number, slug: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe(PROBLEM);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://coffee-edge.dev/problems/${slug}`, status });
  return body;
}

const get = (url: string, headers: Record<string, string>) =>
  fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
const post = (url: string, headers: Record<string, string>, body?: string) =>
  fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });

describe("POST / takes a payment", () => {
  it("answers 201 with the payment, its Location and X-Order-Id, and charges once", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const body = validPayment();
    const res = await postPayment(url, body);
    expect(res.status).toBe(201);
    const payment = (await res.json()) as Record<string, unknown>;
    expect(payment).toEqual({
      paymentId: expect.stringMatching(/^pay_[0-9a-f]{24}$/),
      orderId: body.orderId,
      status: "captured",
      amount: { value: 450, currency: "EUR" },
      createdAt: FIXED_NOW.toISOString(),
    });
    expect(res.headers.get("location")).toBe(`/function/payment/payments/${payment.paymentId}`);
    expect(res.headers.get("x-order-id")).toBe(body.orderId);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(processor.charges).toHaveLength(1);
    expect(processor.charges[0]).toMatchObject({ token: "tok_visa", idempotencyKey: body.orderId });
  });

  it("takes cash without a token, and a kiosk's X-Api-Key", async () => {
    const { url } = await serve(new CountingProcessor());
    const { token: _token, ...cash } = { ...validPayment(), method: "cash" };
    const res = await postPayment(url, cash, { "x-api-key": API_KEY });
    expect(res.status).toBe(201);
  });

  it("answers 402 insufficient-funds for tok_insufficient_funds, recording no payment", async () => {
    const { url } = await serve(new CountingProcessor());
    const body = { ...validPayment(), token: "tok_insufficient_funds" };
    const problem = await problemOf(await postPayment(url, body), 402, "insufficient-funds");
    expect(problem).toMatchObject({ title: "Insufficient balance", orderId: body.orderId });
    const count = await served?.store.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM payment_payments WHERE order_id = $1",
      [body.orderId],
    );
    expect(count?.n).toBe(0);
  });

  it("answers 402 card-declined for tok_declined", async () => {
    const { url } = await serve(new CountingProcessor());
    const problem = await problemOf(
      await postPayment(url, { ...validPayment(), token: "tok_declined" }),
      402,
      "card-declined",
    );
    expect(problem.title).toBe("Card declined");
  });

  it("answers 400 with the schema errors, before any charge", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const res = await postPayment(url, { ...validPayment(), amount: { value: 0, currency: "EUR" }, extra: true });
    const problem = await problemOf(res, 400, "invalid-request");
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pointer: "/amount/value", keyword: "minimum" }),
        expect.objectContaining({ pointer: "/extra", keyword: "additionalProperties" }),
      ]),
    );
    expect(processor.charges).toHaveLength(0);
  });

  it("answers 415 for a body that is not JSON", async () => {
    const { url } = await serve(new CountingProcessor());
    const res = await post(url, { authorization: bearer("payments:write"), "content-type": "text/plain" }, "pay me");
    await problemOf(res, 415, "unsupported-media-type");
  });

  it("answers 400 for a malformed Idempotency-Key", async () => {
    const { url } = await serve(new CountingProcessor());
    const res = await postPayment(url, validPayment(), {
      authorization: bearer("payments:write"),
      "idempotency-key": "k".repeat(256),
    });
    await problemOf(res, 400, "invalid-idempotency-key");
  });

  it("answers 502 when the processor is unreachable, records nothing, and a retry is charged", async () => {
    const processor = new FlakyProcessor();
    const { url } = await serve(processor);
    const body = validPayment();
    const authorization = bearer("payments:write");
    await problemOf(await postPayment(url, body, { authorization }), 502, "processor-unavailable");
    processor.recover();
    const retry = await postPayment(url, body, { authorization });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(processor.inner.charges).toHaveLength(1);
    // Neither the token given to the processor nor the bearer token reaches the logs.
    const logs = JSON.stringify(served?.server.logs);
    expect(logs).toContain("processor");
    expect(logs).not.toContain("tok_visa");
    expect(logs).not.toContain(authorization.slice("Bearer ".length));
  });
});

describe("authorization", () => {
  it.each([
    ["no credentials", {}],
    ["a malformed Authorization", { authorization: "Basic dXNlcjpwYXNz" }],
    ["a token signed with another secret", { authorization: bearer("payments:write", {}, "x".repeat(40)) }],
    ["an expired token", { authorization: bearer("payments:write", { expiresIn: -60 }) }],
    ["a token for another function", { authorization: bearer("payments:write", { audience: "inventory-check" }) }],
    ["a token from another issuer", { authorization: bearer("payments:write", { issuer: "someone-else" }) }],
    ["a wrong API key", { "x-api-key": "not-the-key" }],
  ])("answers 401 with WWW-Authenticate for %s", async (_label, headers: Record<string, string>) => {
    const { url, processor } = await serve(new CountingProcessor());
    const res = await postPayment(url, validPayment(), headers);
    await problemOf(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(processor.charges).toHaveLength(0);
  });

  it("answers 403 for a valid token without payments:write", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const res = await postPayment(url, validPayment(), { authorization: bearer("payments:read payments:refund") });
    const problem = await problemOf(res, 403, "insufficient-scope");
    expect(problem.requiredScope).toBe("payments:write");
    expect(processor.charges).toHaveLength(0);
  });

  it("checks credentials before the body: an anonymous bad body is a 401", async () => {
    const { url } = await serve(new CountingProcessor());
    await problemOf(await postPayment(url, { hello: "world" }, {}), 401, "unauthorized");
  });
});

describe("GET /payments/{id}", () => {
  async function capture(url: string): Promise<Record<string, unknown>> {
    const res = await postPayment(url, validPayment());
    expect(res.status).toBe(201);
    return (await res.json()) as Record<string, unknown>;
  }

  it.each([["payments:read"], ["payments:write"]])("returns the payment to a token with %s", async (scope) => {
    const { url } = await serve(new CountingProcessor());
    const payment = await capture(url);
    const res = await get(`${url}/payments/${payment.paymentId}`, { authorization: bearer(scope) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual(payment);
  });

  it("returns it to a kiosk's API key", async () => {
    const { url } = await serve(new CountingProcessor());
    const payment = await capture(url);
    const res = await get(`${url}/payments/${payment.paymentId}`, { "x-api-key": API_KEY });
    expect(await res.json()).toEqual(payment);
  });

  it("needs credentials, and payments:read or payments:write", async () => {
    const { url } = await serve(new CountingProcessor());
    const payment = await capture(url);
    await problemOf(await get(`${url}/payments/${payment.paymentId}`, {}), 401, "unauthorized");
    const res = await get(`${url}/payments/${payment.paymentId}`, { authorization: bearer("payments:refund") });
    const problem = await problemOf(res, 403, "insufficient-scope");
    expect(problem.requiredScope).toBe("payments:read payments:write");
  });

  it.each([["pay_000000000000000000000000"], ["not%20an%20id"], ["x".repeat(200)]])(
    "answers 404 for the unknown id %s",
    async (id) => {
      const { url } = await serve(new CountingProcessor());
      await problemOf(
        await get(`${url}/payments/${id}`, { authorization: bearer("payments:read") }),
        404,
        "payment-not-found",
      );
    },
  );
});

describe("POST /payments/{id}/refund", () => {
  async function capture(url: string): Promise<Record<string, unknown>> {
    const res = await postPayment(url, validPayment());
    return (await res.json()) as Record<string, unknown>;
  }
  const refunder = { authorization: bearer("payments:refund") };

  it("refunds once: 200 with the refunded payment, then 409 already-refunded", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const payment = await capture(url);
    const first = await post(`${url}/payments/${payment.paymentId}/refund`, refunder);
    expect(first.status).toBe(200);
    const refunded = { ...payment, status: "refunded", refundedAt: FIXED_NOW.toISOString() };
    expect(await first.json()).toEqual(refunded);
    const again = await post(`${url}/payments/${payment.paymentId}/refund`, refunder);
    await problemOf(again, 409, "already-refunded");
    expect(processor.refunds).toHaveLength(1);
    expect(processor.refunds[0]).toMatchObject({ paymentId: payment.paymentId, amount: payment.amount });

    const seen = await get(`${url}/payments/${payment.paymentId}`, { authorization: bearer("payments:read") });
    expect(await seen.json()).toEqual(refunded);
  });

  it("accepts an empty JSON object, and refuses a partial refund rather than refund it all", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const payment = await capture(url);
    const json = { ...refunder, "content-type": "application/json" };
    const partial = await post(`${url}/payments/${payment.paymentId}/refund`, json, '{"amount":100}');
    await problemOf(partial, 400, "invalid-request");
    expect(processor.refunds).toHaveLength(0);
    const whole = await post(`${url}/payments/${payment.paymentId}/refund`, json, "{}");
    expect(whole.status).toBe(200);
  });

  it("needs payments:refund: a write token or a kiosk key is a 403", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const payment = await capture(url);
    const callers: Array<Record<string, string>> = [
      { authorization: bearer("payments:write payments:read") },
      { "x-api-key": API_KEY },
    ];
    for (const headers of callers) {
      await problemOf(await post(`${url}/payments/${payment.paymentId}/refund`, headers), 403, "insufficient-scope");
    }
    expect(processor.refunds).toHaveLength(0);
  });

  it("answers 404 for an unknown payment", async () => {
    const { url } = await serve(new CountingProcessor());
    await problemOf(
      await post(`${url}/payments/pay_000000000000000000000000/refund`, refunder),
      404,
      "payment-not-found",
    );
  });

  it("answers 502 when the processor is unreachable, leaving the payment refundable", async () => {
    const processor = new FlakyProcessor();
    processor.recover();
    const { url } = await serve(processor);
    const payment = await capture(url);
    processor.down = true;
    await problemOf(await post(`${url}/payments/${payment.paymentId}/refund`, refunder), 502, "processor-unavailable");
    processor.recover();
    expect((await post(`${url}/payments/${payment.paymentId}/refund`, refunder)).status).toBe(200);
    expect(processor.inner.refunds).toHaveLength(1);
  });
});

describe("routing", () => {
  it("answers 404 for an unknown path and 405 with Allow for a wrong method", async () => {
    const { url } = await serve(new CountingProcessor());
    await problemOf(await get(`${url}/refunds`, { authorization: bearer("payments:read") }), 404, "not-found");
    const wrong = await get(url, { authorization: bearer("payments:write") });
    await problemOf(wrong, 405, "method-not-allowed");
    expect(wrong.headers.get("allow")).toBe("POST");
    const put = await fetch(`${url}/payments/pay_1`, { method: "PUT", signal: AbortSignal.timeout(10_000) });
    await problemOf(put, 405, "method-not-allowed");
    expect(put.headers.get("allow")).toBe("GET");
  });

  it("serves each order id once per key: two orders are two payments", async () => {
    const { url, processor } = await serve(new CountingProcessor());
    const first = await postPayment(url, validPayment(uniqueOrderId()));
    const second = await postPayment(url, validPayment(uniqueOrderId()));
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = [(await first.json()) as { paymentId: string }, (await second.json()) as { paymentId: string }];
    expect(a.paymentId).not.toBe(b.paymentId);
    expect(processor.charges).toHaveLength(2);
  });
});
