import { ProblemError } from "@coffee-edge/node18-typescript";
import { describe, expect, expectTypeOf, it } from "vitest";
import { CURRENCY_CODES, type CurrencyCode } from "./currencies.js";
import { type PaymentRequest, paymentRequests, refundRequests } from "./schema.js";
import { validPayment } from "./test-support.js";

function violationsOf(value: unknown): Array<{ pointer: string; keyword: string }> {
  try {
    paymentRequests.parse(value);
  } catch (error) {
    if (error instanceof ProblemError) {
      expect(error.status).toBe(400);
      expect(error.type).toBe("https://coffee-edge.dev/problems/invalid-request");
      return error.extensions.errors as Array<{ pointer: string; keyword: string }>;
    }
    throw error;
  }
  throw new Error("expected the body to be refused");
}

const body = validPayment("order-1");

describe("the payment request schema", () => {
  it("accepts a full body and a minimal one", () => {
    expect(paymentRequests.check(body)).toBe(true);
    const minimal = { orderId: "A1", store: "store042", amount: { value: 1, currency: "JPY" }, method: "cash" };
    expect(paymentRequests.parse(minimal)).toEqual(minimal);
  });

  it("derives its TypeScript type from the schema: currency is the ISO 4217 union", () => {
    const parsed = paymentRequests.parse(body);
    expectTypeOf(parsed).toEqualTypeOf<PaymentRequest>();
    expectTypeOf(parsed.amount.currency).toEqualTypeOf<CurrencyCode>();
    expectTypeOf(parsed.method).toEqualTypeOf<"card" | "wallet" | "cash">();
    expectTypeOf(parsed.token).toEqualTypeOf<string | undefined>();
  });

  it.each([
    ["an orderId with a space", { ...body, orderId: "order 1" }, "/orderId", "pattern"],
    ["an orderId of 65 characters", { ...body, orderId: "o".repeat(65) }, "/orderId", "maxLength"],
    ["an empty orderId", { ...body, orderId: "" }, "/orderId", "minLength"],
    ["an upper-case store", { ...body, store: "Store042" }, "/store", "pattern"],
    ["a zero amount", { ...body, amount: { value: 0, currency: "EUR" } }, "/amount/value", "minimum"],
    [
      "an amount over 1 000 000",
      { ...body, amount: { value: 1_000_001, currency: "EUR" } },
      "/amount/value",
      "maximum",
    ],
    ["a fractional amount", { ...body, amount: { value: 4.5, currency: "EUR" } }, "/amount/value", "type"],
    ["a lower-case currency", { ...body, amount: { value: 450, currency: "eur" } }, "/amount/currency", "enum"],
    ["the no-currency code XXX", { ...body, amount: { value: 450, currency: "XXX" } }, "/amount/currency", "enum"],
    ["an unknown method", { ...body, method: "bitcoin" }, "/method", "enum"],
    ["a token with a newline", { ...body, token: "tok\nvisa" }, "/token", "pattern"],
    ["a customer without a name", { ...body, customer: {} }, "/customer/name", "required"],
    ["101 items", { ...body, items: Array.from({ length: 101 }, () => body.items[0]) }, "/items", "maxItems"],
    ["an item of quantity 0", { ...body, items: [{ ...body.items[0], quantity: 0 }] }, "/items/0/quantity", "minimum"],
    [
      "a negative unit price",
      { ...body, items: [{ ...body.items[0], unitPrice: -1 }] },
      "/items/0/unitPrice",
      "minimum",
    ],
    ["an unknown member", { ...body, tip: 50 }, "/tip", "additionalProperties"],
    ["no amount", { ...body, amount: undefined }, "/amount", "required"],
  ])("refuses %s, pointing at the member", (_label, value, pointer, keyword) => {
    expect(violationsOf(JSON.parse(JSON.stringify(value)))).toContainEqual(
      expect.objectContaining({ pointer, keyword }),
    );
  });

  it("knows the currencies in circulation, once each, and not the fund or special codes", () => {
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    for (const code of ["EUR", "USD", "GBP", "JPY", "CHF", "XCG", "ZWG"]) expect(CURRENCY_CODES).toContain(code);
    for (const code of ["XXX", "XTS", "XAU", "CHE", "USN", "HRK"]) expect(CURRENCY_CODES).not.toContain(code);
    for (const code of CURRENCY_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});

describe("the refund request schema", () => {
  it("takes {} and nothing else: a refund is always whole", () => {
    expect(refundRequests.check({})).toBe(true);
    expect(refundRequests.check({ amount: 100 })).toBe(false);
    expect(refundRequests.check([])).toBe(false);
  });
});
