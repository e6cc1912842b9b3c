import { mkdirSync } from "node:fs";
import path from "node:path";
import { context, propagation } from "@opentelemetry/api";
import type { IPublishPacket } from "mqtt";
import { ConfigError } from "../core/common-config.js";
import { Controller } from "../core/controller.js";
import { readGatewayAuthorization } from "../core/gateway-credentials.js";
import { startHealthServer } from "../core/health-server.js";
import { createInvoker } from "../core/invoker.js";
import { createJsonLogger } from "../core/logger.js";
import { type BrokerConnection, connectToBroker, redact } from "./broker-connection.js";
import { loadMqttConnectorConfig } from "./config.js";
import { DeadLetterTopics, publishDeadLetter } from "./dead-letter.js";
import { ConnectorMetrics } from "./metrics.js";
import { startDispatcher } from "./queue/dispatcher.js";
import { openMessageQueue } from "./queue/message-queue.js";
import type { ReceivedMessage } from "./queue/received-message.js";
import { publishResponse, responseRoute } from "./responses.js";
import { inInvocationSpan, traceHeaders } from "./trace-context.js";

const USER_AGENT = "coffee-edge-mqtt-connector";

/**
 * mqtt-connector: subscribes to the filters the functions' `topic` annotations ask for, stores each message
 * before acknowledging it, and invokes the functions from that store (in order per topic, retried, dead-lettered).
 * Returns the exit code: 0 after SIGTERM/SIGINT, 1 for bad configuration or a broker that refuses us.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = createJsonLogger("mqtt-connector");
  let config: ReturnType<typeof loadMqttConnectorConfig>;
  let authorization: string | undefined;
  try {
    config = loadMqttConnectorConfig(env);
    authorization = config.basicAuth ? readGatewayAuthorization(config.secretMountPath) : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`mqtt-connector: ${error.message}\n`);
    return 1;
  }

  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

  mkdirSync(config.dataDir, { recursive: true });
  const queue = openMessageQueue({
    file: path.join(config.dataDir, "mqtt-connector.db"),
    synchronous: config.queueSync,
  });
  const invoker = createInvoker({
    gatewayUrl: config.gatewayUrl,
    asynchronous: config.asynchronous,
    connector: "mqtt-connector",
    contentType: config.contentType,
    timeoutMs: config.upstreamTimeoutMs,
    ...(authorization ? { authorization } : {}),
    userAgent: USER_AGENT,
  });
  let broker: BrokerConnection | undefined;
  const controller = new Controller({
    gatewayUrl: config.gatewayUrl,
    ...(authorization ? { authorization } : {}),
    timeoutMs: 10_000,
    userAgent: USER_AGENT,
    rebuildIntervalMs: config.rebuildIntervalMs,
    staticFilters: config.staticTopics,
    logger,
    onMap: async (map) => {
      await broker?.setFilters(map.filters());
    },
  });
  const deadLetters = new DeadLetterTopics(config.deadLetterTopic);
  let dispatcher: ReturnType<typeof startDispatcher> | undefined;
  const metrics = new ConnectorMetrics({
    queueDepth: () => queue.depth(),
    inflight: () => dispatcher?.inflight ?? 0,
    connected: () => broker?.connected ?? false,
  });
  const health = await startHealthServer(
    config.port,
    config.host,
    () => {
      if (!controller.ready) return "the function list has not been read yet";
      if (!broker?.connected) return `not connected to ${redact(config.brokerUrl)}`;
      // The dispatcher starts once the first subscriptions are in place: ready means messages now reach functions.
      if (!dispatcher) return "subscribing";
      return undefined;
    },
    metrics.registry,
  );

  // The map first: a persistent session may deliver queued messages the moment we connect.
  await controller.start();
  while (!controller.ready && !stop.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 500));

  const onMessage = async (packet: IPublishPacket): Promise<void> => {
    metrics.received.inc();
    const topic = packet.topic;
    const fns = deadLetters.isDeadLetterTopic(topic) ? [] : controller.topicMap.match(topic);
    if (fns.length === 0) {
      metrics.unmatched.inc();
      metrics.acknowledged.inc();
      return;
    }
    await queue.waitForRoom(config.maxQueued);
    const properties = packet.properties;
    const message: ReceivedMessage = {
      topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      receivedAt: Date.now(),
      ...(properties?.responseTopic ? { responseTopic: properties.responseTopic } : {}),
      ...(properties?.correlationData ? { correlationData: properties.correlationData } : {}),
      ...(properties?.contentType ? { contentType: properties.contentType } : {}),
      ...(properties?.userProperties ? { userProperties: properties.userProperties } : {}),
    };
    queue.enqueue(message, fns);
    metrics.acknowledged.inc();
  };

  try {
    broker = await connectToBroker({ config, logger, onMessage, signal: stop.signal });
  } catch (error) {
    if (!stop.signal.aborted) {
      process.stderr.write(`mqtt-connector: ${(error as Error).message}\n`);
      await shutdown();
      return 1;
    }
    await shutdown();
    return 0;
  }
  const connected = broker;
  await connected.setFilters(controller.topicMap.filters());

  dispatcher = startDispatcher({
    queue,
    maxInflight: config.maxInflight,
    maxAttempts: config.maxAttempts,
    retryMinMs: config.retryMinMs,
    retryMaxMs: config.retryMaxMs,
    logger,
    invoke: (delivery) => {
      const { message } = delivery;
      const headers = traceHeaders(message.userProperties);
      if (message.contentType) headers["content-type"] = message.contentType;
      return inInvocationSpan(message.topic, delivery.fn, headers, () => {
        propagation.inject(context.active(), headers);
        return invoker.invoke({ fn: delivery.fn, topic: message.topic, body: message.payload, headers });
      });
    },
    respond: async (delivery, response) => {
      const route = responseRoute(delivery.message, controller.topicMap.annotationsOf(delivery.fn));
      if (route) await publishResponse(connected, route, response);
    },
    deadLetter: (delivery, reason) =>
      publishDeadLetter(
        connected,
        deadLetters,
        {
          topic: delivery.message.topic,
          fn: reason.fn,
          status: reason.status,
          attempts: reason.attempts,
          ...(reason.error ? { error: reason.error } : {}),
        },
        delivery.message.payload,
      ),
    events: {
      invoked: (fn, status, ms) => {
        metrics.invoked.inc({ function_name: fn, status: String(status) });
        metrics.latency.observe({ function_name: fn }, ms / 1000);
      },
      retried: (fn, status) => metrics.retried.inc({ function_name: fn, status: String(status) }),
      deadLettered: (fn, reason) => metrics.deadLettered.inc({ function_name: fn, status: String(reason.status) }),
    },
  });
  logger.info(`ready: health and metrics on http://${config.host}:${health.port}`, {
    filters: controller.topicMap.filters(),
  });

  if (!stop.signal.aborted)
    await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
  logger.info("stopping: finishing invocations in flight; stored messages wait for the next start");
  await shutdown();
  return 0;

  async function shutdown(): Promise<void> {
    controller.stop();
    await dispatcher?.stop(10_000);
    await broker?.end().catch(() => undefined);
    await invoker.close();
    queue.close();
    await health.close();
  }
}
