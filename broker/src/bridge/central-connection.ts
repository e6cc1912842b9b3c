import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import type { BridgeLogger } from "./logger.js";

export interface CentralConnectionOptions {
  /** mqtt://, mqtts://, ws:// or wss:// */
  readonly url: string;
  /** Stable across restarts (e.g. `edge-bridge-<storeId>`): the central broker keeps the session under it. */
  readonly clientId: string;
  readonly username?: string;
  readonly password?: string;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly keepaliveSeconds: number;
  readonly connectTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly logger: BridgeLogger;
  /** Each time the central broker accepted us and MQTT.js has re-sent what it had in flight. */
  readonly onConnected: (sessionPresent: boolean) => void;
  /** Each time an accepted connection is lost. */
  readonly onDisconnected: () => void;
}

export interface CentralConnection {
  readonly client: MqttClient;
  /** Between the CONNACK (and MQTT.js's re-sending of its in-flight messages) and the connection's loss. */
  readonly ready: boolean;
  /** Closes the connection, without a DISCONNECT when `force`; no reconnect afterwards. */
  end(force: boolean): Promise<void>;
}

export const SUPPORTED_PROTOCOLS = ["mqtt:", "mqtts:", "ws:", "wss:"] as const;

/**
 * One MQTT 3.1.1 client with a persistent session (clean session off): the central broker keeps our command
 * subscription and queues commands while the store is offline, and MQTT.js keeps our unacknowledged publishes and
 * sends them again, first and in order, on the next connection. 3.1.1 works with Mosquitto, EMQX and aedes alike.
 * Reconnects back off exponentially with jitter, capped, so a central outage does not bring every store back in
 * the same second.
 */
export function connectToCentral(options: CentralConnectionOptions): CentralConnection {
  const { logger } = options;
  const where = redactUrl(options.url);
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion: 4,
    clean: false,
    keepalive: options.keepaliveSeconds,
    connectTimeout: options.connectTimeoutMs,
    reconnectPeriod: options.reconnectMinMs,
    // The bridge subscribes itself when the central broker has no session for it (MQTT.js would do it every time).
    resubscribe: false,
    queueQoSZero: false,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.cert === undefined ? {} : { cert: options.cert }),
    ...(options.key === undefined ? {} : { key: options.key }),
  };
  const client = mqtt.connect(options.url, clientOptions);
  let ready = false;
  let retryMs = options.reconnectMinMs;
  let lastError: string | undefined;

  client.on("connect", (connack) => {
    ready = true;
    retryMs = options.reconnectMinMs;
    client.options.reconnectPeriod = retryMs;
    lastError = undefined;
    logger.info(`bridge: connected to central ${where} (session ${connack.sessionPresent ? "resumed" : "new"})`);
    options.onConnected(connack.sessionPresent);
  });
  client.on("close", () => {
    if (!ready) return;
    ready = false;
    logger.warn(`bridge: lost central ${where}; messages wait in the outbox while reconnecting`);
    options.onDisconnected();
  });
  client.on("reconnect", () => {
    // MQTT.js reads reconnectPeriod each time it schedules the next attempt.
    retryMs = Math.min(options.reconnectMaxMs, retryMs * 2);
    client.options.reconnectPeriod = Math.round(retryMs * (0.75 + Math.random() * 0.25));
  });
  client.on("error", (error: Error & { code?: unknown }) => {
    // The same refusal every few seconds during an outage says nothing new: log each distinct one once.
    const text = describeError(error);
    if (text === lastError) return;
    lastError = text;
    logger.warn(`bridge: central ${where}: ${text}`);
  });

  return {
    client,
    get ready() {
      return ready;
    },
    end(force) {
      return new Promise<void>((resolve) => client.end(force, () => resolve()));
    },
  };
}

function describeError(error: Error & { code?: unknown }): string {
  // 3.1.1 CONNACK 4/5: bad credentials or not authorised; MQTT.js's message does not say which setting to check.
  if (error.code === 4 || error.code === 5) return `${error.message} (check the bridge username and password)`;
  return error.message;
}

/** The URL without a password, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(an invalid URL)";
  }
}
