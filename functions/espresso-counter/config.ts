import { type Env, envInteger, envTimeZone, envUrl } from "@coffee-edge/node18-typescript/env";
import { databaseUrl, parseDatabaseUrl } from "@coffee-edge/node18-typescript/store";

export const FUNCTION_NAME = "espresso-counter";

/** Everything espresso-counter reads from its environment, validated in this one place. */
export interface EspressoConfig {
  /** `DAILY_THRESHOLD`: shots per machine per local day at which the status turns "threshold-reached". */
  readonly dailyThreshold: number;
  /** `STORE_TIMEZONE`: the IANA zone whose calendar days the counts follow. */
  readonly timeZone: string;
  /** `USAGE_SINK_URL`: the central dashboard the nightly rollup is POSTed to; unset = computed, not sent. */
  readonly usageSinkUrl: string | undefined;
  /** `ALERT_WEBHOOK_URL`: where the one threshold alert per machine and day is POSTed; unset = only stored. */
  readonly alertWebhookUrl: string | undefined;
  /** `DATABASE_URL` (the kit's default when unset), checked here so a bad value stops the function at start. */
  readonly databaseUrl: string;
}

/** Reads the configuration; throws a ConfigError naming the first variable whose value cannot be used. */
export function loadConfig(env: Env): EspressoConfig {
  const database = databaseUrl(env, FUNCTION_NAME);
  parseDatabaseUrl(database);
  return {
    dailyThreshold: envInteger(env, "DAILY_THRESHOLD", 100, { min: 1, max: 1_000_000 }),
    timeZone: envTimeZone(env, "STORE_TIMEZONE", "UTC"),
    usageSinkUrl: envUrl(env, "USAGE_SINK_URL"),
    alertWebhookUrl: envUrl(env, "ALERT_WEBHOOK_URL"),
    databaseUrl: database,
  };
}
