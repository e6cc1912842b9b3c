import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("coffee-edge-mqtt-connector");

/** W3C Trace Context for MQTT: MQTT 5 user properties `traceparent` and `tracestate` become HTTP headers. */
export function traceHeaders(
  userProperties: Readonly<Record<string, string | string[]>> | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ["traceparent", "tracestate"]) {
    const value = userProperties?.[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string" && first !== "") headers[name] = first;
  }
  return headers;
}

/**
 * Runs one invocation in a span (a child of the message's trace context when it has one). Without an
 * OpenTelemetry SDK registered in the process this is the API's no-op; with one, each invocation is a span.
 */
export async function inInvocationSpan<T extends { status: number }>(
  topic: string,
  fn: string,
  headers: Record<string, string>,
  work: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(context.active(), headers);
  return tracer.startActiveSpan(
    `invoke ${fn}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { "messaging.system": "mqtt", "messaging.destination.name": topic, "faas.invoked_name": fn },
    },
    parent,
    async (span: Span) => {
      try {
        const result = await work();
        span.setAttribute("http.response.status_code", result.status);
        if (result.status === 0 || result.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        return result;
      } finally {
        span.end();
      }
    },
  );
}
