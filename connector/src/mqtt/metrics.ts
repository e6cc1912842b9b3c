import { Counter, Gauge, Histogram, Registry } from "prom-client";

export interface MetricSources {
  queueDepth(): number;
  inflight(): number;
  connected(): boolean;
}

/** The MQTT connector's own metrics (OpenFaaS's has none): what came in, what it did, what waits. */
export class ConnectorMetrics {
  readonly registry = new Registry();
  readonly received = new Counter({
    name: "mqtt_connector_messages_received_total",
    help: "Messages received from the broker",
    registers: [this.registry],
  });
  readonly acknowledged = new Counter({
    name: "mqtt_connector_messages_acknowledged_total",
    help: "Messages acknowledged to the broker once stored (or matched by no function)",
    registers: [this.registry],
  });
  readonly unmatched = new Counter({
    name: "mqtt_connector_messages_unmatched_total",
    help: "Messages no function asked for (acknowledged and dropped)",
    registers: [this.registry],
  });
  readonly invoked = new Counter({
    name: "mqtt_connector_invocations_total",
    help: "Function invocations by status (error: no answer)",
    labelNames: ["function_name", "status"] as const,
    registers: [this.registry],
  });
  readonly retried = new Counter({
    name: "mqtt_connector_retries_total",
    help: "Invocations tried again after a retryable answer",
    labelNames: ["function_name", "status"] as const,
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: "mqtt_connector_dead_lettered_total",
    help: "Messages sent to their dead-letter topic",
    labelNames: ["function_name", "status"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "mqtt_connector_invocation_seconds",
    help: "Time of one invocation through the gateway",
    labelNames: ["function_name"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    new Gauge({
      name: "mqtt_connector_queue_depth",
      help: "Stored deliveries not yet finished",
      registers,
      collect() {
        this.set(sources.queueDepth());
      },
    });
    new Gauge({
      name: "mqtt_connector_inflight",
      help: "Invocations running now",
      registers,
      collect() {
        this.set(sources.inflight());
      },
    });
    new Gauge({
      name: "mqtt_connector_connected",
      help: "1 while connected to the broker",
      registers,
      collect() {
        this.set(sources.connected() ? 1 : 0);
      },
    });
  }
}
