import { ConfigError, type Env, envDuration, envOptional, envString, envUrl } from "@coffee-edge/node18-typescript/env";

/** The settings both connectors read, under OpenFaaS's own names (connector-sdk, mqtt- and cron-connector). */
export interface CommonConfig {
  /** `gateway_url` (http://127.0.0.1:8080). */
  readonly gatewayUrl: string;
  /** `basic_auth` (false): read the gateway's credentials from `secret_mount_path`. */
  readonly basicAuth: boolean;
  /** `secret_mount_path` (/var/secrets, where the OpenFaaS chart mounts them for connectors). */
  readonly secretMountPath: string;
  /** `upstream_timeout` (1m): how long one invocation may take; 0 = no limit. */
  readonly upstreamTimeoutMs: number;
  /** `rebuild_interval` (10s): how often the function list is read again. */
  readonly rebuildIntervalMs: number;
  /** `asynchronous_invocation` (false): use /async-function/. */
  readonly asynchronous: boolean;
}

export function loadCommonConfig(env: Env): CommonConfig {
  return {
    gatewayUrl: envUrl(env, "gateway_url") ?? "http://127.0.0.1:8080",
    basicAuth: envBoolean(env, "basic_auth", false),
    secretMountPath: envString(env, "secret_mount_path", "/var/secrets"),
    upstreamTimeoutMs: envDuration(env, "upstream_timeout", "1m", { min: 0 }),
    rebuildIntervalMs: envDuration(env, "rebuild_interval", "10s", { min: 100 }),
    asynchronous: envBoolean(env, "asynchronous_invocation", false),
  };
}

/** `true`/`1` or `false`/`0`, as OpenFaaS's components read their flags. */
export function envBoolean(env: Env, name: string, fallback: boolean): boolean {
  const text = envOptional(env, name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  throw new ConfigError(name, `expected true or false, got "${text}"`);
}

export { ConfigError };
