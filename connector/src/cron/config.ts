import { type Env, envInteger, envString } from "@coffee-edge/node18-typescript/env";
import { type CommonConfig, loadCommonConfig } from "../core/common-config.js";

/** Everything cron-connector reads from its environment, validated here; a bad value names its variable. */
export interface CronConnectorConfig extends CommonConfig {
  /** `port` (8082): /healthz and /metrics; `host` (127.0.0.1). */
  readonly port: number;
  readonly host: string;
}

export function loadCronConnectorConfig(env: Env): CronConnectorConfig {
  return {
    ...loadCommonConfig(env),
    port: envInteger(env, "port", 8082, { min: 0, max: 65535 }),
    host: envString(env, "host", "127.0.0.1"),
  };
}
