import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from "mqtt";
import type { ControllerLogger } from "../core/controller.js";
import type { MqttConnectorConfig } from "./config.js";

export type ProtocolVersion = 4 | 5;

export interface BrokerConnection {
  readonly client: MqttClient;
  readonly protocolVersion: ProtocolVersion;
  readonly connected: boolean;
  /** Subscribes to what is new in `filters` and unsubscribes from what is gone (QoS 1). */
  setFilters(filters: readonly string[]): Promise<void>;
  /** QoS 1; resolves on the broker's PUBACK (queued while disconnected). */
  publish(topic: string, payload: Buffer, properties?: mqtt.IClientPublishOptions["properties"]): Promise<void>;
  end(): Promise<void>;
}

export interface ConnectOptions {
  readonly config: MqttConnectorConfig;
  readonly logger: ControllerLogger;
  /**
   * Called for each message inside MQTT.js's `handleMessage`: the message is acknowledged (PUBACK) only once
   * the returned promise resolves, so whatever it stores is safe before the broker forgets the message.
   */
  readonly onMessage: (packet: IPublishPacket) => Promise<void>;
  readonly signal?: AbortSignal;
}

/** A week: how long the broker keeps our MQTT 5 session (its subscriptions and queued messages) while we are away. */
const SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;
const FIRST_RETRY_MS = 500;

/**
 * Connects with a persistent session (clean start off, a stable client id) so the broker queues QoS 1 messages
 * while the connector is down, and redelivers what we did not acknowledge. `mqtt_protocol=auto` tries MQTT 5 and
 * falls back to 3.1.1 when the broker refuses 5 (aedes 1.x does). The first connection is retried with backoff
 * until it succeeds or the signal aborts; later drops are MQTT.js's reconnects, with our backoff.
 */
export async function connectToBroker(options: ConnectOptions): Promise<BrokerConnection> {
  const { config, logger } = options;
  let version: ProtocolVersion = config.protocol === "3.1.1" ? 4 : 5;
  let waitMs = FIRST_RETRY_MS;
  for (;;) {
    const client = createClient(config, version);
    // Before the first packet can arrive: MQTT.js's default handler would acknowledge a message and drop it.
    client.handleMessage = storeThenAcknowledge(client, options);
    const outcome = await firstConnection(client);
    if (outcome === "connected") return wrap(client, version, options);
    client.end(true);
    if (isProtocolRefusal(outcome) && config.protocol === "auto" && version === 5) {
      logger.info(
        "the broker does not speak MQTT 5; using MQTT 3.1.1 (no response topics, user properties or trace context)",
      );
      version = 4;
      continue;
    }
    if (isAuthRefusal(outcome)) {
      throw new Error(
        `the broker at ${redact(config.brokerUrl)} refused the connection: ${outcome.message} (check mqtt_username and mqtt_password_file)`,
      );
    }
    logger.warn(`cannot connect to ${redact(config.brokerUrl)}: ${outcome.message}; trying again in ${waitMs} ms`);
    await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : {});
    waitMs = Math.min(config.reconnectMaxMs, waitMs * 2);
  }
}

function createClient(config: MqttConnectorConfig, version: ProtocolVersion): MqttClient {
  const clientOptions: IClientOptions = {
    clientId: config.clientId,
    protocolVersion: version,
    clean: false,
    keepalive: config.keepaliveSeconds,
    reconnectPeriod: FIRST_RETRY_MS,
    connectTimeout: 10_000,
    // We subscribe ourselves after each connection without a session: MQTT.js would otherwise resubscribe too.
    resubscribe: false,
    ...(version === 5 ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_SECONDS } } : {}),
    ...(config.username ? { username: config.username } : {}),
    ...(config.passwordFile ? { password: readFileSync(config.passwordFile, "utf8").trim() } : {}),
    ...(config.tlsCaFile ? { ca: readFileSync(config.tlsCaFile) } : {}),
    ...(config.tlsCertFile ? { cert: readFileSync(config.tlsCertFile) } : {}),
    ...(config.tlsKeyFile ? { key: readFileSync(config.tlsKeyFile) } : {}),
  };
  return mqtt.connect(config.brokerUrl, clientOptions);
}

function firstConnection(client: MqttClient): Promise<"connected" | (Error & { code?: number })> {
  return new Promise((resolve) => {
    const done = (outcome: "connected" | Error) => {
      client.off("connect", onConnect);
      client.off("error", onError);
      client.off("close", onClose);
      resolve(outcome);
    };
    const onConnect = () => done("connected");
    const onError = (error: Error) => done(error);
    // A refused TCP connection closes without an error event in some MQTT.js paths.
    const onClose = () => done(new Error("the connection closed before the broker accepted it"));
    client.once("connect", onConnect);
    client.once("error", onError);
    client.once("close", onClose);
  });
}

/** MQTT 3.1.1 CONNACK 1, MQTT 5 reason 0x84: the broker does not speak this protocol version. */
function isProtocolRefusal(error: Error & { code?: number }): boolean {
  return error.code === 1 || error.code === 132 || /protocol version/i.test(error.message);
}

/** 3.1.1 CONNACK 4/5, MQTT 5 reasons 0x86/0x87: bad credentials or not authorised; retrying will not help. */
function isAuthRefusal(error: Error & { code?: number }): boolean {
  return error.code === 4 || error.code === 5 || error.code === 134 || error.code === 135;
}

function storeThenAcknowledge(client: MqttClient, options: ConnectOptions): MqttClient["handleMessage"] {
  return (packet, done) => {
    options.onMessage(packet).then(
      () => done(),
      (error: unknown) => {
        // Not acknowledged: the broker delivers it again after the reconnect this forces.
        options.logger.warn(`could not store a message from ${packet.topic}: ${(error as Error).message}`);
        client.stream.destroy();
      },
    );
  };
}

function wrap(client: MqttClient, version: ProtocolVersion, options: ConnectOptions): BrokerConnection {
  const { config, logger } = options;
  let desired: string[] = [];
  const subscribed = new Set<string>();
  const withShare = (filter: string) => (config.shareGroup ? `$share/${config.shareGroup}/${filter}` : filter);

  const subscribe = async (filters: readonly string[]) => {
    if (filters.length === 0) return;
    // MQTT 5 "no local": the broker does not send us back what we publish ourselves (responses, dead letters),
    // so a function on `store/#` is not fed its own answers. MQTT 3.1.1 has no such option, and MQTT 5 forbids it
    // on shared subscriptions (see the README).
    const granted = await client.subscribeAsync(filters.map(withShare), {
      qos: 1,
      ...(version === 5 && !config.shareGroup ? { nl: true } : {}),
    });
    for (const grant of granted) {
      if (grant.qos === 128 || grant.qos > 2) logger.warn(`the broker refused the subscription ${grant.topic}`);
      else subscribed.add(grant.topic);
    }
  };

  let retryMs = FIRST_RETRY_MS;
  client.on("connect", (connack) => {
    retryMs = FIRST_RETRY_MS;
    client.options.reconnectPeriod = FIRST_RETRY_MS;
    logger.info(
      `connected to ${redact(config.brokerUrl)} (MQTT ${version === 5 ? "5" : "3.1.1"}, session ${connack.sessionPresent ? "resumed" : "new"})`,
    );
    if (!connack.sessionPresent) {
      subscribed.clear();
      subscribe(desired).catch((error: unknown) => logger.warn(`subscribing failed: ${(error as Error).message}`));
    }
  });
  client.on("reconnect", () => {
    // Exponential backoff between reconnects, capped; MQTT.js reads reconnectPeriod each time.
    retryMs = Math.min(config.reconnectMaxMs, retryMs * 2);
    client.options.reconnectPeriod = retryMs;
  });
  client.on("offline", () => logger.warn(`lost the broker at ${redact(config.brokerUrl)}; reconnecting`));
  client.on("error", (error) => logger.warn(`broker: ${error.message}`));
  logger.info(`connected to ${redact(config.brokerUrl)} (MQTT ${version === 5 ? "5" : "3.1.1"})`);

  return {
    client,
    protocolVersion: version,
    get connected() {
      return client.connected;
    },
    async setFilters(filters) {
      desired = [...filters];
      const wanted = new Set(desired.map(withShare));
      const added = desired.filter((filter) => !subscribed.has(withShare(filter)));
      const removed = [...subscribed].filter((topic) => !wanted.has(topic));
      if (!client.connected) return; // the next connection subscribes to `desired`
      if (removed.length > 0) {
        await client.unsubscribeAsync(removed);
        for (const topic of removed) subscribed.delete(topic);
        logger.info(`unsubscribed from ${removed.join(", ")}`);
      }
      if (added.length > 0) {
        await subscribe(added);
        logger.info(`subscribed to ${added.map(withShare).join(", ")}`);
      }
    },
    async publish(topic, payload, properties) {
      await client.publishAsync(topic, payload, { qos: 1, ...(version === 5 && properties ? { properties } : {}) });
    },
    async end() {
      await client.endAsync();
    },
  };
}

/** The broker URL without a password, for logs and errors. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
