/**
 * Registers the OpenTelemetry SDK with an OTLP/HTTP trace exporter. Loaded only when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set, so a function without a
 * collector pays nothing. The exporter reads the standard OTEL_* variables itself (endpoint, headers, timeout).
 */
export async function registerOtlpTracing(serviceName: string): Promise<() => Promise<void>> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
    ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // register() also installs the W3C trace-context propagator and the async context manager.
  provider.register();
  return () => provider.shutdown();
}
