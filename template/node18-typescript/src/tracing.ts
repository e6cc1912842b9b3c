import type { IncomingMessage } from "node:http";
import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

const tracer = trace.getTracer("@coffee-edge/node18-typescript");

const NOT_RECORDING: RequestSpan = { run: (fn) => fn(), end() {} };

export interface RequestSpan {
  /** Runs `fn` with the server span active, so spans the handler starts become its children. */
  run<T>(fn: () => T): T;
  end(status: number): void;
}

/**
 * Starts the server span around a handler call, parented by the request's W3C `traceparent` (extracted with
 * the globally registered propagator). Without a registered SDK every call here is a cheap no-op.
 */
export function startRequestSpan(req: IncomingMessage, path: string): RequestSpan {
  const parent: Context = propagation.extract(ROOT_CONTEXT, req.headers);
  const method = req.method ?? "GET";
  const span: Span = tracer.startSpan(
    method,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "url.path": path } },
    parent,
  );
  // Without an SDK the span records nothing: skip the context switch and the attributes.
  if (!span.isRecording()) return NOT_RECORDING;
  const active = trace.setSpan(parent, span);
  return {
    run: (fn) => context.with(active, fn),
    end(status) {
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
