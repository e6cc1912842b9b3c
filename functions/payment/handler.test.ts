import type { Handler } from "@coffee-edge/node18-typescript";
import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import handler, { createHandler } from "./handler.js";

// The build-context proof starts the built function with a default environment (no secrets, no
// DATABASE_URL) and POSTs {"hello":"world"}: the answer must be a problem below 500.
describe("the deployed handler with a default environment", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("is a Handler, as is what createHandler builds", () => {
    expectTypeOf(handler).toEqualTypeOf<Handler>();
    expectTypeOf(createHandler).returns.toEqualTypeOf<Handler>();
  });

  it('answers an anonymous {"hello":"world"} with a 401 problem, though no secret is mounted', async () => {
    server = await startTestServer(handler);
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
  });
});
