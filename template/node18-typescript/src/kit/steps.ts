import { type Attributes, SpanStatusCode, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("coffee-edge.function");

/**
 * Runs one meaningful step of a handler (validate, store, processor, …) inside its own span, a child of
 * the request's server span. A failure is recorded on the span and rethrown unchanged. With no tracing
 * SDK registered this costs one no-op span.
 */
export async function step<T>(name: string, work: () => T | Promise<T>, attributes?: Attributes): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
