import { context, propagation, SpanStatusCode, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { step } from "../../src/kit/steps.js";
import { ProblemError } from "../../src/problem.js";
import { startTestServer, type TestServer } from "../../src/testing.js";

describe("step(): one span per meaningful step of a handler", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let server: TestServer;

  beforeAll(async () => {
    provider.register();
    server = await startTestServer(async (event) => {
      const order = await step("validate", () => event.body as { fail?: boolean });
      await step("store", async () => undefined, { "db.system": "sqlite" });
      if (order.fail) await step("processor", () => Promise.reject(new ProblemError(402, { title: "Declined" })));
      return { ok: true };
    });
  });
  afterAll(async () => {
    await server.close();
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it("nests the steps under the request's server span, with their attributes", async () => {
    exporter.reset();
    await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    const spans = exporter.getFinishedSpans();
    const serverSpan = spans.find((span) => !["validate", "store"].includes(span.name));
    const children = spans.filter((span) => ["validate", "store"].includes(span.name));
    expect(children.map((span) => span.name).sort()).toEqual(["store", "validate"]);
    for (const child of children) {
      expect(child.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
      expect(child.spanContext().traceId).toBe(serverSpan?.spanContext().traceId);
    }
    expect(children.find((span) => span.name === "store")?.attributes["db.system"]).toBe("sqlite");
  });

  it("marks a failed step as an error and passes the failure on unchanged", async () => {
    exporter.reset();
    const res = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"fail":true}',
    });
    expect(res.status).toBe(402);
    const processor = exporter.getFinishedSpans().find((span) => span.name === "processor");
    expect(processor?.status.code).toBe(SpanStatusCode.ERROR);
    expect(processor?.events.map((event) => event.name)).toContain("exception");
  });
});
