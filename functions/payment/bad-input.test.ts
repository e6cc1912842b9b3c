import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { badJsonBodies, mapConcurrently } from "@coffee-edge/node18-typescript/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { paymentRequests } from "./schema.js";
import {
  bearer,
  CountingProcessor,
  postPayment,
  type ServedPayment,
  servePayment,
  validPayment,
} from "./test-support.js";

describe("hostile and broken bodies", () => {
  let dir: string;
  let served: ServedPayment;
  const processor = new CountingProcessor();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "payment-bad-input-"));
    served = await servePayment(`sqlite:${join(dir, "payment.db")}`, { processor });
  });
  afterAll(async () => {
    await served?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers each of 500+ bad bodies with a 4xx problem, charges nothing, and keeps serving", {
    timeout: 60_000,
  }, async () => {
    const bodies = badJsonBodies(validPayment("order-bad-input"), { count: 500, accepts: paymentRequests.check });
    expect(bodies.length).toBeGreaterThanOrEqual(500);
    const authorization = bearer("payments:write");

    const answers = await mapConcurrently(bodies, 16, async (bad) => {
      const res = await fetch(served.url, {
        method: "POST",
        headers: { authorization, "content-type": bad.contentType },
        body: bad.body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return { label: bad.label, status: res.status, type: res.headers.get("content-type") };
    });

    const wrong = answers.filter(
      (answer) => answer.status < 400 || answer.status > 499 || answer.type !== "application/problem+json",
    );
    expect(wrong).toEqual([]);
    expect(processor.charges).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const good = await postPayment(served.url, validPayment(), { authorization });
    expect(good.status).toBe(201);
    expect(await good.json()).toMatchObject({ status: "captured" });
  });
});
