import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Counter, Gauge } from "prom-client";
import { startBridge } from "./bridge/bridge.js";
import { openOutbox } from "./bridge/outbox.js";
import type { BridgeConfig, BrokerConfig } from "./config.js";
import { type BrokerLogger, createEdgeBroker, type EdgeBroker } from "./edge-broker.js";
import { serveHealth } from "./health.js";
import { type Listening, listen } from "./listeners.js";
import { openUsersFile } from "./users/users-file.js";

export interface RunningBroker {
  readonly broker: EdgeBroker;
  readonly listening: Listening;
  readonly healthPort?: number;
  stop(): Promise<void>;
}

/** The whole edge broker: users, aedes with persistence, listeners, the bridge when configured, health. */
export async function runBroker(config: BrokerConfig, logger: BrokerLogger): Promise<RunningBroker> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const users = openUsersFile(config.usersFile);
  let bridge: ReturnType<typeof startBridge> | undefined;
  const broker = await createEdgeBroker({
    config,
    users,
    logger,
    onPublished: (topic, payload, qos) => bridge?.capture(topic, payload, qos),
  });
  let listening: Listening;
  try {
    listening = await listen(broker, config);
  } catch (error) {
    await broker.close();
    throw error;
  }
  if (config.bridge) bridge = await openBridge(config.bridge, config.dataDir, broker, logger);
  const health =
    config.healthPort === undefined
      ? undefined
      : await serveHealth(
          config.healthPort,
          config.healthHost,
          () => (config.bridge && !bridge?.connected ? "the bridge is not connected to the central broker" : undefined),
          broker.metrics.registry,
        );
  logger.info("listening", {
    mqtt: listening.mqttPort,
    ...(listening.mqttsPort ? { mqtts: listening.mqttsPort } : {}),
    ...(listening.wsPort ? { ws: listening.wsPort } : {}),
    ...(health ? { health: health.port } : {}),
    ...(config.bridge ? { bridge: config.bridge.url.replace(/\/\/[^@/]*@/, "//***@") } : {}),
  });
  return {
    broker,
    listening,
    ...(health ? { healthPort: health.port } : {}),
    async stop() {
      await bridge?.stop();
      await broker.close();
      await listening.close();
      await health?.close();
    },
  };
}

async function openBridge(config: BridgeConfig, dataDir: string, broker: EdgeBroker, logger: BrokerLogger) {
  const outbox = openOutbox({
    file: path.join(dataDir, "bridge-outbox.db"),
    maxMessages: config.outboxMaxMessages,
    maxBytes: config.outboxMaxBytes,
    policy: config.outboxPolicy,
  });
  const registry = broker.metrics.registry;
  new Gauge({
    name: "edge_broker_bridge_outbox_depth",
    help: "Messages waiting in the bridge's outbox",
    registers: [registry],
    collect() {
      this.set(outbox.depth());
    },
  });
  new Gauge({
    name: "edge_broker_bridge_outbox_oldest_seconds",
    help: "Age of the oldest message in the bridge's outbox",
    registers: [registry],
    collect() {
      this.set((outbox.oldestAgeMs() ?? 0) / 1000);
    },
  });
  const forwarded = new Counter({
    name: "edge_broker_bridge_forwarded_total",
    help: "Messages the central broker acknowledged",
    registers: [registry],
  });
  const dropped = new Counter({
    name: "edge_broker_bridge_dropped_total",
    help: "Messages the outbox dropped (full, too large, or not written)",
    labelNames: ["cause"] as const,
    registers: [registry],
  });
  const connectedGauge = new Gauge({
    name: "edge_broker_bridge_connected",
    help: "1 while the bridge is connected to the central broker",
    registers: [registry],
  });
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  const password = config.passwordFile ? readFileSync(config.passwordFile, "utf8").trim() : undefined;
  return startBridge({
    outbox,
    localPublish: (topic, payload, qos) => broker.publish(topic, payload, qos === 0 ? 0 : 1),
    centralUrl: config.url,
    clientId: `edge-bridge-${config.storeId}`,
    ...(config.username ? { username: config.username } : {}),
    ...(password ? { password } : {}),
    ...(config.caFile ? { ca: read(config.caFile) } : {}),
    ...(config.certFile ? { cert: read(config.certFile) } : {}),
    ...(config.keyFile ? { key: read(config.keyFile) } : {}),
    topics: config.topics,
    ...(config.commandFilter ? { commandFilter: config.commandFilter } : {}),
    prefix: config.prefix,
    storeId: config.storeId,
    logger,
    events: {
      forwarded: (count) => forwarded.inc(count),
      dropped: (count, cause) => dropped.inc({ cause }, count),
      connected: () => connectedGauge.set(1),
      disconnected: () => connectedGauge.set(0),
    },
  });
}
