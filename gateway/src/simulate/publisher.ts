import { randomBytes } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

/** Where the simulation's messages go; one MQTT connection. */
export interface Publisher {
  /** Resolves once the broker has the message (its PUBACK at QoS 1, the write at QoS 0). */
  publish(topic: string, payload: string | Buffer): Promise<void>;
  /**
   * Disconnects cleanly, letting in-flight publishes finish for at most `timeoutMs`, then forcing the close.
   * Resolves true when the clean disconnect made it in time.
   */
  close(timeoutMs: number): Promise<boolean>;
}

export interface PublisherOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly qos: 0 | 1;
  readonly connectTimeoutMs?: number;
  /** Told when an established connection drops (the client then reconnects on its own) and comes back. */
  readonly onConnectionLost?: (reason: string) => void;
  readonly onReconnected?: () => void;
}

/** The broker could not be reached or refused us. `broker` is the URL without its password. */
export class BrokerConnectionError extends Error {
  constructor(
    readonly broker: string,
    readonly reason: string,
  ) {
    super(`cannot connect to the MQTT broker at ${broker}: ${reason}`);
    this.name = "BrokerConnectionError";
  }
}

const RECONNECT_PERIOD_MS = 2000;

/** Connects to the broker, or throws a BrokerConnectionError that names it. */
export async function connectPublisher(options: PublisherOptions): Promise<Publisher> {
  const broker = redactBrokerUrl(options.url);
  const clientOptions: IClientOptions = {
    // MQTT 3.1.1: what our aedes broker speaks, and Mosquitto too.
    protocolVersion: 4,
    clientId: `coffee-edge-simulate-${randomBytes(4).toString("hex")}`,
    clean: true,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    reconnectPeriod: RECONNECT_PERIOD_MS,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  };
  let client: MqttClient;
  try {
    // No retries while connecting: a wrong --broker should fail at once, not spin.
    client = await mqtt.connectAsync(options.url, clientOptions, false);
  } catch (error) {
    throw new BrokerConnectionError(broker, reasonOf(error, options.password));
  }
  watchConnection(client, options);
  const inFlight = new Set<Promise<unknown>>();
  return {
    async publish(topic, payload) {
      const published = client.publishAsync(topic, payload, { qos: options.qos });
      inFlight.add(published);
      try {
        await published;
      } finally {
        inFlight.delete(published);
      }
    },
    close: (timeoutMs) => closeClient(client, inFlight, timeoutMs),
  };
}

function watchConnection(client: MqttClient, options: PublisherOptions): void {
  let lost = false;
  // An 'error' without a listener would throw out of the event loop; errors here are reported by 'offline'.
  let lastError = "the connection closed";
  client.on("error", (error) => {
    lastError = reasonOf(error, options.password);
  });
  client.on("offline", () => {
    if (lost || client.disconnecting) return;
    lost = true;
    options.onConnectionLost?.(lastError);
  });
  client.on("connect", () => {
    if (!lost) return;
    lost = false;
    options.onReconnected?.();
  });
}

/**
 * Waits for the in-flight publishes, then sends DISCONNECT. mqtt's own `end(false)` would wait for them too,
 * but forever when the broker is gone, and a later `end(true)` is then ignored; so the wait is bounded here,
 * and the close is forced when it runs out.
 */
async function closeClient(client: MqttClient, inFlight: Set<Promise<unknown>>, timeoutMs: number): Promise<boolean> {
  const drained = await within(
    Promise.allSettled([...inFlight]).then(() => true),
    timeoutMs,
  );
  const ended = await within(
    client.endAsync(!drained).then(
      () => true,
      () => false,
    ),
    timeoutMs,
  );
  if (!ended) client.stream.destroy();
  return drained && ended;
}

async function within(work: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The broker URL as it may be printed: a password inside it is replaced by `***`. */
export function redactBrokerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === "") return url;
    parsed.password = "***";
    return parsed.href;
  } catch {
    return "(an invalid URL)";
  }
}

function reasonOf(error: unknown, password: string | undefined): string {
  const code = (error as { code?: unknown } | null)?.code;
  let reason = error instanceof Error ? error.message : String(error);
  if (code === "ECONNREFUSED") reason = "connection refused (is the broker running?)";
  else if (code === "ENOTFOUND" || code === "EAI_AGAIN") reason = "host not found";
  // Broker and OS messages do not echo passwords, but a message must never be the way one leaks.
  if (password) reason = reason.split(password).join("***");
  return reason;
}
