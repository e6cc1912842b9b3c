import path from "node:path";
import {
  ConfigError,
  type Env,
  envByteSize,
  envChoice,
  envDuration,
  envInteger,
  envOptional,
  envString,
} from "@coffee-edge/node18-typescript/env";

/** Everything `coffee-edge up` reads from its environment, validated in this one place. */
export interface GatewayConfig {
  /** `GATEWAY_PORT` (8080): the OpenFaaS gateway API, metrics included. */
  readonly gatewayPort: number;
  /** `GATEWAY_HOST` (127.0.0.1): set 0.0.0.0 to serve the store's LAN. */
  readonly gatewayHost: string;
  /** `MQTT_PORT` (1883): the broker's, for the banner and the components that talk MQTT. */
  readonly mqttPort: number;
  /**
   * `MQTT_BROKER` (auto): `embedded` runs coffee-edge's broker on MQTT_PORT (a taken port stops `up`), `external`
   * uses the broker already there, `auto` runs ours when the port is free and uses the one there otherwise.
   */
  readonly mqttBroker: "auto" | "embedded" | "external";
  /** `DATA_DIR` (.coffee-edge/): state, queue, logs, secrets; absolute. */
  readonly dataDir: string;
  /** `MAX_ASYNC_BODY_SIZE` (8mb): larger async bodies get 413 (OpenFaaS CE stops at 256000 bytes). */
  readonly maxAsyncBodyBytes: number;
  /** `ASYNC_CONCURRENCY` (4): queued calls run at once. */
  readonly asyncConcurrency: number;
  /** `ASYNC_MAX_ATTEMPTS` (10): tries of an invocation, and of its callback. */
  readonly asyncMaxAttempts: number;
  /** `ASYNC_RETRY_MIN` (1s) / `ASYNC_RETRY_MAX` (60s): the exponential backoff's bounds. */
  readonly asyncRetryMinMs: number;
  readonly asyncRetryMaxMs: number;
  /** `CALLBACK_TIMEOUT` (30s): how long a callback receiver may take to answer. */
  readonly callbackTimeoutMs: number;
  /** `COLD_START_TIMEOUT` (60s): how long a request waits for a replica to start before 503. */
  readonly coldStartTimeoutMs: number;
  /** `SCALE_DOWN_WINDOW` (30s): load must stay low this long before a replica is removed. */
  readonly scaleDownWindowMs: number;
  /** `DRAIN_TIMEOUT` (30s): on Ctrl-C/SIGTERM, how long calls in flight may take to finish. */
  readonly drainTimeoutMs: number;
}

export function loadGatewayConfig(env: Env, cwd: string): GatewayConfig {
  const asyncRetryMinMs = envDuration(env, "ASYNC_RETRY_MIN", "1s", { min: 1 });
  const asyncRetryMaxMs = envDuration(env, "ASYNC_RETRY_MAX", "60s", { min: 1 });
  if (asyncRetryMaxMs < asyncRetryMinMs) {
    throw new ConfigError("ASYNC_RETRY_MAX", `must be at least ASYNC_RETRY_MIN (${asyncRetryMinMs} ms)`);
  }
  return {
    gatewayPort: envInteger(env, "GATEWAY_PORT", 8080, { min: 0, max: 65535 }),
    gatewayHost: envString(env, "GATEWAY_HOST", "127.0.0.1"),
    mqttPort: envInteger(env, "MQTT_PORT", 1883, { min: 0, max: 65535 }),
    mqttBroker: envChoice(env, "MQTT_BROKER", ["auto", "embedded", "external"] as const, "auto"),
    dataDir: path.resolve(cwd, envOptional(env, "DATA_DIR") ?? ".coffee-edge"),
    maxAsyncBodyBytes: envByteSize(env, "MAX_ASYNC_BODY_SIZE", "8mb", { min: 1 }),
    asyncConcurrency: envInteger(env, "ASYNC_CONCURRENCY", 4, { min: 1, max: 256 }),
    asyncMaxAttempts: envInteger(env, "ASYNC_MAX_ATTEMPTS", 10, { min: 1, max: 100 }),
    asyncRetryMinMs,
    asyncRetryMaxMs,
    callbackTimeoutMs: envDuration(env, "CALLBACK_TIMEOUT", "30s", { min: 1 }),
    coldStartTimeoutMs: envDuration(env, "COLD_START_TIMEOUT", "60s", { min: 1 }),
    scaleDownWindowMs: envDuration(env, "SCALE_DOWN_WINDOW", "30s", { min: 0 }),
    drainTimeoutMs: envDuration(env, "DRAIN_TIMEOUT", "30s", { min: 0 }),
  };
}

export { ConfigError };
