import { startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import handler from "./handler.js";

// The build runs these tests: a failing test fails `faas-cli build`.
describe("the sample handler, served over HTTP as in the image", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer(handler);
  });
  afterEach(async () => {
    await server.close();
  });

  it("echoes a JSON body with the request's method, path and query", async () => {
    const res = await fetch(`${server.url}/orders?store=store042`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({
      body: { hello: "world" },
      "content-type": "application/json",
      method: "POST",
      path: "/orders",
      query: { store: "store042" },
    });
  });

  it("answers malformed JSON with a 400 problem", async () => {
    const res = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{" });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
