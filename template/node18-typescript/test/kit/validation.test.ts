import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { createValidator, type FromSchema } from "../../src/kit/validation.js";
import { ProblemError } from "../../src/problem.js";
import { startTestServer, type TestServer } from "../../src/testing.js";

const orderSchema = {
  type: "object",
  additionalProperties: false,
  required: ["orderId", "amount"],
  properties: {
    orderId: { type: "string", minLength: 1, maxLength: 64 },
    amount: {
      type: "object",
      additionalProperties: false,
      required: ["value"],
      properties: { value: { type: "integer", minimum: 1, maximum: 1_000_000 } },
    },
    method: { enum: ["card", "cash"] },
    paidAt: { type: "string", format: "date-time" },
  },
} as const;

const orders = createValidator(orderSchema);

function problemOf(work: () => unknown): ProblemError {
  try {
    work();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error("expected a ProblemError");
}

describe("createValidator", () => {
  it("derives the TypeScript type from the schema itself", () => {
    const order = orders.parse({ orderId: "o1", amount: { value: 5 } });
    expectTypeOf(order).toEqualTypeOf<FromSchema<typeof orderSchema>>();
    expectTypeOf(order.amount.value).toEqualTypeOf<number>();
    expectTypeOf(order.method).toEqualTypeOf<"card" | "cash" | undefined>();
    expect(order).toEqual({ orderId: "o1", amount: { value: 5 } });
  });

  it("answers 400 with a pointer for each violation, unknown members included", () => {
    const problem = problemOf(() =>
      orders.parse({ orderId: "", amount: { value: 1.5, extra: 1 }, surprise: true, paidAt: "yesterday" }),
    );
    expect(problem.status).toBe(400);
    const body = problem.toBody();
    expect(body.type).toBe("https://coffee-edge.dev/problems/invalid-request");
    const pointers = (body.errors as Array<{ pointer: string }>).map((error) => error.pointer).sort();
    expect(pointers).toEqual(["/amount/extra", "/amount/value", "/orderId", "/paidAt", "/surprise"]);
  });

  it("names a missing member by its own pointer", () => {
    const body = problemOf(() => orders.parse({ orderId: "o1" })).toBody();
    expect(body.errors).toEqual([{ pointer: "/amount", detail: "is required", keyword: "required" }]);
    expect(body.detail).toBe("/amount is required");
  });

  it("refuses a schema whose objects would accept unknown members", () => {
    expect(() => createValidator({ type: "object", properties: { a: { type: "string" } } })).toThrow(
      /additionalProperties/,
    );
    expect(() =>
      createValidator({
        type: "object",
        additionalProperties: false,
        properties: { inner: { type: "object", properties: {} } },
      }),
    ).toThrow(/#\/properties\/inner/);
    // A map with typed values is explicit, not open.
    expect(() => createValidator({ type: "object", additionalProperties: { type: "integer" } } as const)).not.toThrow();
  });

  it("caps the listed violations so a hostile body cannot make a huge answer", () => {
    const list = createValidator({ type: "array", items: { type: "integer" } } as const);
    const body = problemOf(() => list.parse(Array.from({ length: 500 }, () => "x"))).toBody();
    expect((body.errors as unknown[]).length).toBe(20);
  });

  it("check() tells without throwing", () => {
    expect(orders.check({ orderId: "o", amount: { value: 1 } })).toBe(true);
    expect(orders.check({ orderId: "o", amount: { value: 0 } })).toBe(false);
    expect(orders.check({ __proto__: null, orderId: "o", amount: { value: 1 } })).toBe(true);
    expect(orders.check(JSON.parse('{"orderId":"o","amount":{"value":1},"__proto__":{"x":1}}'))).toBe(false);
  });
});

describe("validator.body over HTTP", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("answers 415 for a body that is not JSON, and 400 problems for invalid JSON bodies", async () => {
    server = await startTestServer((event) => orders.body(event));
    const text = await fetch(server.url, { method: "POST", headers: { "content-type": "text/plain" }, body: "hi" });
    expect(text.status).toBe(415);
    expect(text.headers.get("content-type")).toBe("application/problem+json");
    const none = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" } });
    expect(none.status).toBe(400);
    const good = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ orderId: "o", amount: { value: 3 } }),
    });
    expect(await good.json()).toEqual({ orderId: "o", amount: { value: 3 } });
  });
});
