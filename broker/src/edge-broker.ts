import path from "node:path";
import { Duplex } from "node:stream";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import aedesPersistenceLevel from "aedes-persistence-level";
import { Level } from "level";
import type { BrokerConfig } from "./config.js";
import { frameGuard } from "./frame-guard.js";
import { BrokerMetrics } from "./metrics.js";
import { PublishRate } from "./publish-rate.js";
import { canPublish, canSubscribe } from "./users/acl.js";
import type { BrokerUser } from "./users/users-file.js";

export interface BrokerLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Who may connect: the users file (or a test's stand-in). */
export interface Authenticator {
  authenticate(username: string, password: Buffer): Promise<BrokerUser | undefined>;
}

export interface EdgeBrokerOptions {
  readonly config: BrokerConfig;
  readonly users: Authenticator;
  readonly logger: BrokerLogger;
  /** Every message a client publishes, once authorised and before it is acknowledged (the bridge's capture). */
  readonly onPublished?: (topic: string, payload: Buffer, qos: 0 | 1 | 2) => void;
}

export interface EdgeBroker {
  readonly aedes: Aedes;
  readonly metrics: BrokerMetrics;
  /** Serves one client connection (TCP, TLS or WebSocket stream), within the connection and packet limits. */
  handle(stream: Duplex): void;
  /** Publishes as the broker itself (commands relayed in by the bridge); resolves once routed. */
  publish(topic: string, payload: Buffer, qos: 0 | 1): Promise<void>;
  close(): Promise<void>;
}

type EdgeClient = Client & { edgeUser?: BrokerUser | "anonymous"; publishRate?: PublishRate };

/**
 * The store's broker, built without listening: aedes with LevelDB persistence (sessions, subscriptions, retained
 * and queued QoS 1 messages survive a restart, SIGKILL included), users and ACLs on every CONNECT, PUBLISH and
 * SUBSCRIBE, a connection limit, a packet-size limit, and a per-client publish rate.
 */
export async function createEdgeBroker(options: EdgeBrokerOptions): Promise<EdgeBroker> {
  const { config, logger } = options;
  const db = new Level<string, unknown>(path.join(config.dataDir, "persistence"), { valueEncoding: "view" } as never);
  await db.open();
  const aedes = await Aedes.createBroker({
    persistence: aedesPersistenceLevel(db as never),
    maxClientsIdLength: config.maxClientIdLength,
    // A subscriber that stops reading is cut off after 10 s rather than holding up delivery to everyone.
    drainTimeout: 10_000,
    concurrency: 1000,
    queueLimit: 1000,
  });
  const metrics = new BrokerMetrics(() => aedes.connectedClients);
  let connections = 0;

  aedes.authenticate = (client: EdgeClient, username, password, callback) => {
    const refuse = (returnCode: number, why: string) => {
      metrics.denied.inc({ operation: "connect" });
      logger.warn(`refused the connection of client ${client.id}: ${why}`, { username: username ?? null });
      const error = new Error(why) as AuthenticateError;
      error.returnCode = returnCode;
      callback(error, false);
    };
    // aedes checks the length of MQTT 3.1 client ids only; 3.1.1 has no limit of its own.
    if (client.id.length > config.maxClientIdLength)
      return refuse(2, `a client id of ${client.id.length} characters (MAX_CLIENT_ID_LENGTH)`);
    if (username === undefined || username === "") {
      if (!config.allowAnonymous) return refuse(5, "anonymous connections are not allowed");
      client.edgeUser = "anonymous";
      return callback(null, true);
    }
    options.users.authenticate(username, password ?? Buffer.alloc(0)).then(
      (user) => {
        if (!user) return refuse(4, "wrong username or password");
        client.edgeUser = user;
        client.publishRate = new PublishRate(config.maxPublishRate);
        callback(null, true);
      },
      (error: unknown) => refuse(3, `the users file could not be read: ${(error as Error).message}`),
    );
  };

  aedes.authorizePublish = (client: EdgeClient | null, packet, callback) => {
    if (!client) return callback(null); // the broker's own (a will, a relayed command)
    const user = client.edgeUser;
    if (!user || !canPublish(user, packet.topic)) {
      metrics.denied.inc({ operation: "publish" });
      logger.warn(`denied a publish to ${packet.topic}; disconnecting the client`, {
        username: user === "anonymous" ? null : (user?.username ?? null),
        clientId: client.id,
      });
      // MQTT 3.1.1 §3.3.5: a refused PUBLISH is acknowledged or the connection is closed; we close it.
      return callback(new Error(`not authorised to publish to ${packet.topic}`));
    }
    metrics.messagesIn.inc();
    // Here, not on aedes's "publish" event: aedes 1.x acknowledges a QoS 1 PUBLISH before it emits that event,
    // so a bridge capturing there could lose a message the device already saw acknowledged.
    options.onPublished?.(packet.topic, packet.payload as Buffer, packet.qos);
    const delayMs = client.publishRate?.delayMs() ?? 0;
    if (delayMs > 0) setTimeout(() => callback(null), delayMs);
    else callback(null);
  };

  aedes.authorizeSubscribe = (client: EdgeClient, subscription, callback) => {
    const user = client.edgeUser;
    if (!user || !canSubscribe(user, subscription.topic)) {
      metrics.denied.inc({ operation: "subscribe" });
      logger.warn(`denied a subscription to ${subscription.topic}`, {
        username: user === "anonymous" ? null : (user?.username ?? null),
        clientId: client.id,
      });
      return callback(null, null); // SUBACK 0x80 for this filter
    }
    callback(null, subscription);
  };

  aedes.on("ack", () => metrics.messagesOut.inc());
  aedes.on("clientError", (client, error) => logger.warn(`client ${client.id}: ${error.message}`));
  aedes.on("connectionError", (client, error) => logger.warn(`connection ${client?.id ?? "?"}: ${error.message}`));

  return {
    aedes,
    metrics,
    handle(stream) {
      if (connections >= config.maxConnections) {
        metrics.denied.inc({ operation: "connection-limit" });
        logger.warn(`refused a connection: already ${connections} (MAX_CONNECTIONS)`);
        stream.destroy();
        return;
      }
      connections += 1;
      stream.once("close", () => {
        connections -= 1;
      });
      const guard = frameGuard(config.maxPacketBytes);
      guard.once("error", (error) => {
        logger.warn(`closing a connection: ${error.message} (MAX_PACKET_SIZE)`);
        stream.destroy();
      });
      // aedes reads the client's bytes through the guard and writes its answers straight to the client's stream.
      aedes.handle(Duplex.from({ readable: stream.pipe(guard), writable: stream }));
    },
    publish(topic, payload, qos) {
      return new Promise((resolve, reject) => {
        aedes.publish({ cmd: "publish", topic, payload, qos, retain: false, dup: false }, (error) =>
          error ? reject(error) : resolve(),
        );
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => {
          db.close().then(
            () => resolve(),
            () => resolve(),
          );
        });
      }),
  };
}
