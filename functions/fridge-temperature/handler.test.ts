import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import handler from "./handler.js";

// The module the image serves, wired with its real collaborators (this file also takes the place of the
// template's sample test in the build context). Only requests refused before the store is needed are sent,
// so no database file is created.
describe("the default export, as the image serves it", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(handler);
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers a body that is no reading with a 400 problem, as the build's smoke test sends it", async () => {
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({
      type: "https://coffee-edge.dev/problems/invalid-request",
      errors: expect.arrayContaining([
        { pointer: "/hello", detail: "is not an allowed property", keyword: "additionalProperties" },
      ]),
    });
  });

  it("answers malformed JSON with a 400 problem", async () => {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
