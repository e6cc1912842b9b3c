import { Counter, Gauge, Registry } from "prom-client";

/** The broker's own metrics: clients, messages, refusals; the bridge adds its own to the same registry. */
export class BrokerMetrics {
  readonly registry = new Registry();
  readonly messagesIn = new Counter({
    name: "edge_broker_messages_in_total",
    help: "Messages published by clients and accepted",
    registers: [this.registry],
  });
  readonly messagesOut = new Counter({
    name: "edge_broker_messages_out_total",
    help: "QoS 1 deliveries acknowledged by subscribers",
    registers: [this.registry],
  });
  readonly denied = new Counter({
    name: "edge_broker_denied_total",
    help: "Refused connections, publishes and subscriptions",
    labelNames: ["operation"] as const,
    registers: [this.registry],
  });

  constructor(connectedClients: () => number) {
    new Gauge({
      name: "edge_broker_clients_connected",
      help: "Clients connected now",
      registers: [this.registry],
      collect() {
        this.set(connectedClients());
      },
    });
  }
}
