import path from "node:path";
import {
  ConfigError,
  type Env,
  envChoice,
  envDuration,
  envInteger,
  envOptional,
  envString,
} from "@coffee-edge/node18-typescript/env";
import { type CommonConfig, loadCommonConfig } from "../core/common-config.js";
import { filterProblem } from "../core/topic-filter.js";

/** Everything mqtt-connector reads from its environment, validated here; a bad value names its variable. */
export interface MqttConnectorConfig extends CommonConfig {
  /** `broker_url` (mqtt://127.0.0.1:1883): mqtt://, mqtts://, ws:// or wss://. */
  readonly brokerUrl: string;
  /** `client_id` (coffee-edge-mqtt-connector): stable, so the broker keeps the session across restarts. */
  readonly clientId: string;
  /** `mqtt_protocol` (auto): `5`, `3.1.1`, or `auto` (5, then 3.1.1 if the broker refuses 5). */
  readonly protocol: "auto" | "5" | "3.1.1";
  /** `mqtt_username` and `mqtt_password_file`. */
  readonly username?: string;
  readonly passwordFile?: string;
  /** `tls_ca_file`, `tls_cert_file`, `tls_key_file`: PEM files for mqtts:// and wss://. */
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** `topics`: filters subscribed to besides the functions' (comma-separated). */
  readonly staticTopics: readonly string[];
  /** `share_group`: subscribe as `$share/{group}/{filter}` so connector replicas split the messages. */
  readonly shareGroup?: string;
  /** `content_type` (application/json, as OpenFaaS's mqtt-connector): the invocation's Content-Type. */
  readonly contentType: string;
  /** `max_inflight` (16): invocations at once, over all topics. */
  readonly maxInflight: number;
  /** `max_attempts` (10): tries of one message for one function before its dead letter. */
  readonly maxAttempts: number;
  /** `retry_min` (500ms) / `retry_max` (30s): the backoff's bounds. */
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** `dead_letter_topic` ({topic}/dlq). */
  readonly deadLetterTopic: string;
  /** `data_dir` (data): holds the message queue `mqtt-connector.db`. */
  readonly dataDir: string;
  /** `queue_sync` (normal): `full` makes each stored message survive a power cut, at an fsync each. */
  readonly queueSync: "normal" | "full";
  /** `max_queued` (100000): beyond it, intake waits (the broker holds the messages). */
  readonly maxQueued: number;
  /** `port` (8081): /healthz and /metrics; `host` (127.0.0.1). */
  readonly port: number;
  readonly host: string;
  /** `keepalive` (30s) and `reconnect_max` (30s): the MQTT keep-alive and the longest wait between reconnects. */
  readonly keepaliveSeconds: number;
  readonly reconnectMaxMs: number;
}

export function loadMqttConnectorConfig(env: Env, cwd: string = process.cwd()): MqttConnectorConfig {
  const brokerUrl = envString(env, "broker_url", "mqtt://127.0.0.1:1883");
  let protocol: string;
  try {
    protocol = new URL(brokerUrl).protocol;
  } catch {
    throw new ConfigError("broker_url", `expected a URL such as mqtt://127.0.0.1:1883, got "${brokerUrl}"`);
  }
  if (!["mqtt:", "mqtts:", "ws:", "wss:"].includes(protocol)) {
    throw new ConfigError("broker_url", `expected mqtt://, mqtts://, ws:// or wss://, got ${protocol}//`);
  }
  const staticTopics = (envOptional(env, "topics") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const filter of staticTopics) {
    const problem = filterProblem(filter);
    if (problem) throw new ConfigError("topics", `"${filter}": ${problem}`);
  }
  const shareGroup = envOptional(env, "share_group");
  if (shareGroup !== undefined && /[/+#]/.test(shareGroup)) {
    throw new ConfigError("share_group", "a share name cannot contain /, + or #");
  }
  const deadLetterTopic = envString(env, "dead_letter_topic", "{topic}/dlq");
  if (/[+#]/.test(deadLetterTopic))
    throw new ConfigError("dead_letter_topic", "a topic to publish to cannot hold + or #");
  const retryMinMs = envDuration(env, "retry_min", "500ms", { min: 1 });
  const retryMaxMs = envDuration(env, "retry_max", "30s", { min: 1 });
  if (retryMaxMs < retryMinMs) throw new ConfigError("retry_max", `must be at least retry_min (${retryMinMs} ms)`);
  const file = (value: string | undefined) => (value === undefined ? undefined : path.resolve(cwd, value));
  const username = envOptional(env, "mqtt_username");
  const passwordFile = file(envOptional(env, "mqtt_password_file"));
  const tlsCaFile = file(envOptional(env, "tls_ca_file"));
  const tlsCertFile = file(envOptional(env, "tls_cert_file"));
  const tlsKeyFile = file(envOptional(env, "tls_key_file"));
  if ((tlsCertFile === undefined) !== (tlsKeyFile === undefined)) {
    throw new ConfigError(
      tlsCertFile ? "tls_key_file" : "tls_cert_file",
      "a client certificate needs both tls_cert_file and tls_key_file",
    );
  }
  return {
    ...loadCommonConfig(env),
    brokerUrl,
    clientId: envString(env, "client_id", "coffee-edge-mqtt-connector"),
    protocol: envChoice(env, "mqtt_protocol", ["auto", "5", "3.1.1"] as const, "auto"),
    ...(username ? { username } : {}),
    ...(passwordFile ? { passwordFile } : {}),
    ...(tlsCaFile ? { tlsCaFile } : {}),
    ...(tlsCertFile ? { tlsCertFile } : {}),
    ...(tlsKeyFile ? { tlsKeyFile } : {}),
    staticTopics,
    ...(shareGroup ? { shareGroup } : {}),
    contentType: envString(env, "content_type", "application/json"),
    maxInflight: envInteger(env, "max_inflight", 16, { min: 1, max: 1024 }),
    maxAttempts: envInteger(env, "max_attempts", 10, { min: 1, max: 1000 }),
    retryMinMs,
    retryMaxMs,
    deadLetterTopic,
    dataDir: path.resolve(cwd, envString(env, "data_dir", "data")),
    queueSync: envChoice(env, "queue_sync", ["normal", "full"] as const, "normal"),
    maxQueued: envInteger(env, "max_queued", 100_000, { min: 1 }),
    port: envInteger(env, "port", 8081, { min: 0, max: 65535 }),
    host: envString(env, "host", "127.0.0.1"),
    keepaliveSeconds: Math.round(envDuration(env, "keepalive", "30s", { min: 1000 }) / 1000),
    reconnectMaxMs: envDuration(env, "reconnect_max", "30s", { min: 100 }),
  };
}
