import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../src/testing.js";
import { fixture, type ShellProcess, spawnShell } from "./helpers.js";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_SPAN_ID = "00f067aa0ba902b7";
const traceparent = `00-${TRACE_ID}-${PARENT_SPAN_ID}-01`;

describe("a server span around the handler", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let server: TestServer;

  beforeAll(async () => {
    provider.register();
    const tracer = trace.getTracer("handler-test");
    server = await startTestServer(async () => {
      // A span the handler starts itself must become a child of the server span.
      tracer.startActiveSpan("validate", (span) => span.end());
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

  it("takes a valid incoming traceparent as its parent", async () => {
    exporter.reset();
    const res = await fetch(`${server.url}/orders`, { method: "POST", headers: { traceparent } });
    expect(res.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const serverSpan = spans.find((span) => span.name === "POST");
    expect(serverSpan?.spanContext().traceId).toBe(TRACE_ID);
    expect(serverSpan?.parentSpanContext?.spanId).toBe(PARENT_SPAN_ID);
    expect(serverSpan?.attributes).toMatchObject({
      "http.request.method": "POST",
      "url.path": "/orders",
      "http.response.status_code": 200,
    });
    const child = spans.find((span) => span.name === "validate");
    expect(child?.spanContext().traceId).toBe(TRACE_ID);
    expect(child?.parentSpanContext?.spanId).toBe(serverSpan?.spanContext().spanId);
  });

  it("starts a new trace when traceparent is missing or malformed", async () => {
    exporter.reset();
    await fetch(server.url, { headers: { traceparent: "00-not-a-trace-01" } });
    const serverSpan = exporter.getFinishedSpans().find((span) => span.name === "GET");
    expect(serverSpan?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(serverSpan?.spanContext().traceId).not.toBe(TRACE_ID);
    expect(serverSpan?.parentSpanContext).toBeUndefined();
  });
});

describe("with OTEL_EXPORTER_OTLP_ENDPOINT set", () => {
  let collector: Server;
  const received: string[] = [];
  let shell: ShellProcess | undefined;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8").on("data", (text: string) => {
        body += text;
      });
      req.on("end", () => {
        received.push(`${req.method} ${req.url} ${body}`);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
  });
  afterEach(() => {
    if (shell && shell.child.exitCode === null) shell.child.kill("SIGKILL");
  });
  afterAll(() => new Promise<void>((resolve) => collector.close(() => resolve())));

  it("registers an SDK that exports the request's span over OTLP/HTTP", async () => {
    const { port } = collector.address() as AddressInfo;
    shell = await spawnShell(fixture("traced"), {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: "50",
      OTEL_SERVICE_NAME: "traced-fn",
    });
    expect((await fetch(shell.url, { headers: { traceparent } })).status).toBe(200);
    for (let waited = 0; waited < 5000 && !received.some((r) => r.includes(TRACE_ID)); waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const exported = received.find((r) => r.includes(TRACE_ID));
    expect(exported).toMatch(/^POST \/v1\/traces /);
    expect(exported).toContain("traced-fn");
    shell.child.kill("SIGTERM");
    expect(await shell.exited()).toBe(0);
  });
});
