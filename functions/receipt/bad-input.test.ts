import {
  badJsonBodies,
  mapConcurrently,
  startTestServer,
  type TestServer,
} from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { exampleOrder } from "./example-order.js";
import { createHandler } from "./handler.js";
import { orderValidator } from "./schema.js";

const CONCURRENCY = 16;

describe("receipt under hostile input", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(createHandler({ config: loadConfig({}) }));
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers every one of 500+ bad bodies with a 4xx problem and keeps serving", { timeout: 60_000 }, async () => {
    const bodies = badJsonBodies(exampleOrder, { accepts: orderValidator.check });
    expect(bodies.length).toBeGreaterThanOrEqual(500);

    const answers = await mapConcurrently(bodies, CONCURRENCY, async (bad) => {
      const res = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": bad.contentType },
        body: bad.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return { label: bad.label, status: res.status, type: res.headers.get("content-type") };
    });
    const wrong = answers.filter((a) => a.status < 400 || a.status > 499 || a.type !== "application/problem+json");
    expect(wrong).toEqual([]);

    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(exampleOrder),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 5)
        .toString("latin1"),
    ).toBe("%PDF-");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(server.logs.filter((line) => line.level === "error")).toEqual([]);
  });
});
