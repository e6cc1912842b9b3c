import { ProblemError } from "@coffee-edge/node18-typescript";
import { describe, expect, it } from "vitest";
import { canonicalJson, idempotencyKeyOf, requestFingerprint } from "./idempotency.js";

const withKey = (key: string | string[]) => ({ headers: { "idempotency-key": key } });

describe("idempotencyKeyOf", () => {
  it("defaults to the order id", () => {
    expect(idempotencyKeyOf({ headers: {} }, "order-9")).toBe("order-9");
  });

  it("takes the Idempotency-Key header when sent", () => {
    expect(idempotencyKeyOf(withKey("c0ffee 1"), "order-9")).toBe("c0ffee 1");
    expect(idempotencyKeyOf(withKey("k".repeat(255)), "order-9")).toBe("k".repeat(255));
  });

  it.each([
    ["empty", ""],
    ["256 characters long", "k".repeat(256)],
    ["a control character", "key\u0001"],
    ["non-ASCII", "clé"],
  ])("refuses a key that is %s with a 400 problem", (_label, key) => {
    let thrown: unknown;
    try {
      idempotencyKeyOf(withKey(key), "order-9");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).status).toBe(400);
    expect((thrown as ProblemError).type).toBe("https://coffee-edge.dev/problems/invalid-idempotency-key");
  });
});

describe("requestFingerprint", () => {
  const body = { orderId: "o1", amount: { value: 450, currency: "EUR" }, items: [{ sku: "a" }, { sku: "b" }] };

  it("ignores the order of members, at every depth", () => {
    const reordered = { items: [{ sku: "a" }, { sku: "b" }], amount: { currency: "EUR", value: 450 }, orderId: "o1" };
    expect(requestFingerprint("POST", "/", reordered)).toBe(requestFingerprint("POST", "/", body));
  });

  it("changes with any value, the order of array items, the method or the path", () => {
    const base = requestFingerprint("POST", "/", body);
    const variants = [
      requestFingerprint("POST", "/", { ...body, amount: { value: 451, currency: "EUR" } }),
      requestFingerprint("POST", "/", { ...body, items: [{ sku: "b" }, { sku: "a" }] }),
      requestFingerprint("PUT", "/", body),
      requestFingerprint("POST", "/other", body),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it("canonical JSON is JSON, with sorted members", () => {
    expect(canonicalJson({ b: [1, "x", null], a: { d: true, c: 1 } })).toBe('{"a":{"c":1,"d":true},"b":[1,"x",null]}');
  });
});
