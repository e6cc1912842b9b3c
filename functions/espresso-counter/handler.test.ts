import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import handler from "./handler.js";

// What the build-context proof does with the built function: default environment, a stranger's JSON.
describe("the default export", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(handler);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers a body that is not a shot with a 400 problem, before touching any database", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await res.json()) as { type: string; errors: unknown[] };
    expect(problem.type).toBe("https://coffee-edge.dev/problems/invalid-request");
    expect(problem.errors).toContainEqual(expect.objectContaining({ pointer: "/hello" }));
  });
});
