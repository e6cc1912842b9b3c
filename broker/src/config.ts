import path from "node:path";
import {
  ConfigError,
  type Env,
  envByteSize,
  envChoice,
  envInteger,
  envOptional,
  envString,
} from "@coffee-edge/node18-typescript/env";

/** Everything edge-broker reads from its environment, validated here; a bad value names its variable. */
export interface BrokerConfig {
  /** `MQTT_PORT` (1883) on `BROKER_HOST` (0.0.0.0: the store's sensors are on its LAN). */
  readonly mqttPort: number;
  readonly host: string;
  /** `MQTTS_PORT` (8883): the TLS listener, when `TLS_CERT_FILE` and `TLS_KEY_FILE` are given. */
  readonly mqttsPort: number;
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly caFile?: string;
    readonly requireClientCert: boolean;
  };
  /** `WS_PORT` (8083; `off` disables): MQTT over WebSocket for browsers, at path /mqtt. */
  readonly wsPort: number | undefined;
  /** `DATA_DIR` (data): persistence (`DATA_DIR/persistence/`), the users file, the bridge's outbox. */
  readonly dataDir: string;
  /** `BROKER_USERS_FILE` (DATA_DIR/users.json). */
  readonly usersFile: string;
  /** `BROKER_ALLOW_ANONYMOUS` (false): lets clients in without a user, with every right but `$` publishes. */
  readonly allowAnonymous: boolean;
  /** `MAX_CONNECTIONS` (1000), `MAX_PACKET_SIZE` (256kb), `MAX_CLIENT_ID_LENGTH` (64). */
  readonly maxConnections: number;
  readonly maxPacketBytes: number;
  readonly maxClientIdLength: number;
  /** `MAX_PUBLISH_RATE` (500 messages/s per client): above it, that client's messages wait; others do not. */
  readonly maxPublishRate: number;
  /** `HEALTH_PORT` (8084; `off` disables) on `HEALTH_HOST` (127.0.0.1): /healthz and /metrics. */
  readonly healthPort: number | undefined;
  readonly healthHost: string;
  readonly bridge?: BridgeConfig;
}

export interface BridgeConfig {
  /** `BRIDGE_URL`: the central broker (mqtt://, mqtts://, ws://, wss://). */
  readonly url: string;
  /** `BRIDGE_TOPICS`: local filters relayed out, comma-separated. */
  readonly topics: readonly string[];
  /** `BRIDGE_COMMAND_TOPIC`: a filter on the central broker relayed in (prefix removed). */
  readonly commandFilter?: string;
  /** `BRIDGE_PREFIX`: put before every relayed topic, `{storeId}` replaced (e.g. `stores/{storeId}/`). */
  readonly prefix: string;
  /** `STORE_ID`: this store's id (store042), for the prefix and the bridge's client id. */
  readonly storeId: string;
  readonly username?: string;
  /** `BRIDGE_PASSWORD_FILE`. */
  readonly passwordFile?: string;
  /** `BRIDGE_CA_FILE`, `BRIDGE_CERT_FILE`, `BRIDGE_KEY_FILE`. */
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** `BRIDGE_OUTBOX_MAX_MESSAGES` (100000), `BRIDGE_OUTBOX_MAX_SIZE` (256mb), `BRIDGE_OUTBOX_POLICY` (drop-oldest). */
  readonly outboxMaxMessages: number;
  readonly outboxMaxBytes: number;
  readonly outboxPolicy: "drop-oldest" | "drop-newest";
}

export function loadBrokerConfig(env: Env, cwd: string = process.cwd()): BrokerConfig {
  const file = (value: string | undefined) => (value === undefined ? undefined : path.resolve(cwd, value));
  const dataDir = path.resolve(cwd, envString(env, "DATA_DIR", "data"));
  const certFile = file(envOptional(env, "TLS_CERT_FILE"));
  const keyFile = file(envOptional(env, "TLS_KEY_FILE"));
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError(
      certFile ? "TLS_KEY_FILE" : "TLS_CERT_FILE",
      "the TLS listener needs both TLS_CERT_FILE and TLS_KEY_FILE",
    );
  }
  const caFile = file(envOptional(env, "TLS_CA_FILE"));
  const requireClientCert = envChoice(env, "TLS_REQUIRE_CLIENT_CERT", ["false", "true"] as const, "false") === "true";
  if (requireClientCert && !caFile)
    throw new ConfigError("TLS_REQUIRE_CLIENT_CERT", "needs TLS_CA_FILE to check client certificates");
  return {
    mqttPort: envInteger(env, "MQTT_PORT", 1883, { min: 0, max: 65535 }),
    host: envString(env, "BROKER_HOST", "0.0.0.0"),
    mqttsPort: envInteger(env, "MQTTS_PORT", 8883, { min: 0, max: 65535 }),
    ...(certFile && keyFile ? { tls: { certFile, keyFile, ...(caFile ? { caFile } : {}), requireClientCert } } : {}),
    wsPort: optionalPort(env, "WS_PORT", 8083),
    dataDir,
    usersFile: path.resolve(cwd, envOptional(env, "BROKER_USERS_FILE") ?? path.join(dataDir, "users.json")),
    allowAnonymous: envChoice(env, "BROKER_ALLOW_ANONYMOUS", ["false", "true"] as const, "false") === "true",
    maxConnections: envInteger(env, "MAX_CONNECTIONS", 1000, { min: 1 }),
    maxPacketBytes: envByteSize(env, "MAX_PACKET_SIZE", "256kb", { min: 64, max: 268_435_455 }),
    maxClientIdLength: envInteger(env, "MAX_CLIENT_ID_LENGTH", 64, { min: 1, max: 65_535 }),
    maxPublishRate: envInteger(env, "MAX_PUBLISH_RATE", 500, { min: 1 }),
    healthPort: optionalPort(env, "HEALTH_PORT", 8084),
    healthHost: envString(env, "HEALTH_HOST", "127.0.0.1"),
    ...bridgeConfig(env, file),
  };
}

function bridgeConfig(env: Env, file: (value: string | undefined) => string | undefined): { bridge?: BridgeConfig } {
  const url = envOptional(env, "BRIDGE_URL");
  if (url === undefined) return {};
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new ConfigError("BRIDGE_URL", `expected a URL such as mqtts://central.example:8883, got "${url}"`);
  }
  if (!["mqtt:", "mqtts:", "ws:", "wss:"].includes(protocol)) {
    throw new ConfigError("BRIDGE_URL", `expected mqtt://, mqtts://, ws:// or wss://, got ${protocol}//`);
  }
  const topics = (envOptional(env, "BRIDGE_TOPICS") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (topics.length === 0)
    throw new ConfigError("BRIDGE_TOPICS", "BRIDGE_URL is set: list the filters to relay, e.g. store/+/fridge/#");
  const storeId = envOptional(env, "STORE_ID");
  if (storeId === undefined || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(storeId)) {
    throw new ConfigError(
      "STORE_ID",
      `BRIDGE_URL is set: give this store's id, e.g. store042${storeId ? ` (got "${storeId}")` : ""}`,
    );
  }
  const username = envOptional(env, "BRIDGE_USERNAME");
  const passwordFile = file(envOptional(env, "BRIDGE_PASSWORD_FILE"));
  const caFile = file(envOptional(env, "BRIDGE_CA_FILE"));
  const certFile = file(envOptional(env, "BRIDGE_CERT_FILE"));
  const keyFile = file(envOptional(env, "BRIDGE_KEY_FILE"));
  const commandFilter = envOptional(env, "BRIDGE_COMMAND_TOPIC");
  return {
    bridge: {
      url,
      topics,
      ...(commandFilter ? { commandFilter } : {}),
      prefix: envString(env, "BRIDGE_PREFIX", ""),
      storeId,
      ...(username ? { username } : {}),
      ...(passwordFile ? { passwordFile } : {}),
      ...(caFile ? { caFile } : {}),
      ...(certFile ? { certFile } : {}),
      ...(keyFile ? { keyFile } : {}),
      outboxMaxMessages: envInteger(env, "BRIDGE_OUTBOX_MAX_MESSAGES", 100_000, { min: 1 }),
      outboxMaxBytes: envByteSize(env, "BRIDGE_OUTBOX_MAX_SIZE", "256mb", { min: 1024 }),
      outboxPolicy: envChoice(env, "BRIDGE_OUTBOX_POLICY", ["drop-oldest", "drop-newest"] as const, "drop-oldest"),
    },
  };
}

/** A port, or undefined for `off`. */
function optionalPort(env: Env, name: string, fallback: number): number | undefined {
  const text = envOptional(env, name);
  if (text?.toLowerCase() === "off") return undefined;
  return envInteger(env, name, fallback, { min: 0, max: 65535 });
}

export { ConfigError };
