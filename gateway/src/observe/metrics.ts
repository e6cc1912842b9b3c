import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { NAMESPACE } from "../runtime/function-spec.js";

/** What the gauges read when Prometheus scrapes: the runtime's replica counts and the async queue's depth. */
export interface MetricSources {
  functions(): ReadonlyArray<{ readonly name: string; readonly desired: number; readonly available: number }>;
  queueDepth(): number;
}

/**
 * The OpenFaaS gateway's metrics under their names (openfaas-contract §3.6), so dashboards and alert rules
 * written for OpenFaaS read ours; `function_name` is `name.namespace` as the gateway writes it. Then ours:
 * the async queue, retries, cold starts and restarts, which OpenFaaS CE does not have.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly invocations = new Map<string, number>();
  private readonly invocationTotal = new Counter({
    name: "gateway_function_invocation_total",
    help: "Function invocations by status code",
    labelNames: ["code", "function_name"] as const,
    registers: [this.registry],
  });
  private readonly functionSeconds = new Histogram({
    name: "gateway_functions_seconds",
    help: "Function invocation time taken",
    labelNames: ["code", "function_name"] as const,
    registers: [this.registry],
  });
  private readonly invocationStarted = new Counter({
    name: "gateway_function_invocation_started",
    help: "Function invocations started",
    labelNames: ["function_name"] as const,
    registers: [this.registry],
  });
  private readonly asyncRetries = new Counter({
    name: "gateway_async_retries_total",
    help: "Async invocations and callbacks tried again after a retryable failure",
    labelNames: ["function_name", "kind", "status"] as const,
    registers: [this.registry],
  });
  private readonly asyncFinished = new Counter({
    name: "gateway_async_finished_total",
    help: "Async calls finished: done (the callback, if any, was delivered) or failed",
    labelNames: ["function_name", "state"] as const,
    registers: [this.registry],
  });
  private readonly asyncAccepted = new Counter({
    name: "gateway_async_accepted_total",
    help: "Async calls written to the queue and answered 202",
    labelNames: ["function_name"] as const,
    registers: [this.registry],
  });
  private readonly coldStarts = new Histogram({
    name: "gateway_cold_start_seconds",
    help: "Time a request waited for a replica to start (scale from zero or after a crash)",
    labelNames: ["function_name", "outcome"] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly restarts = new Counter({
    name: "gateway_replica_restarts_total",
    help: "Replicas that ended without being asked to and were restarted",
    labelNames: ["function_name"] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    new Gauge({
      name: "gateway_service_count",
      help: "Desired replicas of each function",
      labelNames: ["function_name"] as const,
      registers,
      collect() {
        this.reset();
        for (const fn of sources.functions()) this.set({ function_name: qualified(fn.name) }, fn.desired);
      },
    });
    new Gauge({
      name: "gateway_service_available_replicas",
      help: "Replicas of each function ready to take a request",
      labelNames: ["function_name"] as const,
      registers,
      collect() {
        this.reset();
        for (const fn of sources.functions()) this.set({ function_name: qualified(fn.name) }, fn.available);
      },
    });
    new Gauge({
      name: "gateway_async_queue_depth",
      help: "Async calls accepted and not yet finished",
      registers,
      collect() {
        this.set(sources.queueDepth());
      },
    });
  }

  started(fn: string): void {
    this.invocationStarted.inc({ function_name: qualified(fn) });
  }

  completed(fn: string, status: number, seconds: number): void {
    const labels = { code: String(status), function_name: qualified(fn) };
    this.invocationTotal.inc(labels);
    this.functionSeconds.observe(labels, seconds);
    this.invocations.set(fn, (this.invocations.get(fn) ?? 0) + 1);
  }

  /** `invocationCount` of /system/functions, as the gateway fills it from the same counter. */
  invocationCount(fn: string): number {
    return this.invocations.get(fn) ?? 0;
  }

  asyncAcceptedFor(fn: string): void {
    this.asyncAccepted.inc({ function_name: qualified(fn) });
  }

  asyncRetried(fn: string, kind: "invoke" | "callback", status: number | "error"): void {
    this.asyncRetries.inc({ function_name: qualified(fn), kind, status: String(status) });
  }

  asyncDone(fn: string, state: "done" | "failed"): void {
    this.asyncFinished.inc({ function_name: qualified(fn), state });
  }

  coldStart(fn: string, seconds: number, ok: boolean): void {
    this.coldStarts.observe({ function_name: qualified(fn), outcome: ok ? "ready" : "failed" }, seconds);
  }

  restarted(fn: string): void {
    this.restarts.inc({ function_name: qualified(fn) });
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function qualified(fn: string): string {
  return `${fn}.${NAMESPACE}`;
}
