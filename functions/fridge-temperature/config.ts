import { ConfigError, type Env, envChoice, envInteger, envNumber, envUrl } from "@coffee-edge/node18-typescript/env";
import type { Thresholds } from "./evaluate.js";
import { PLAUSIBLE_RANGE_C, type TemperatureUnit } from "./temperature.js";

/** Everything fridge-temperature reads from its environment, parsed and checked here alone. */
export interface FridgeConfig {
  /** `DEFAULT_UNIT`: the unit of a bare number, or of a payload without `unit`. */
  readonly defaultUnit: TemperatureUnit;
  readonly thresholds: Thresholds;
  /** `STALE_AFTER_SECONDS`: a fridge silent for longer is reported `sensor-offline` by the cron run. */
  readonly staleAfterSeconds: number;
  /** `ALERT_WEBHOOK_URL`: where alerts are POSTed; alerts are only stored when unset. */
  readonly alertWebhookUrl: string | undefined;
}

const ONE_DAY_SECONDS = 86_400;

/** Reads the configuration; throws a ConfigError naming the first variable that cannot be used. */
export function loadConfig(env: Env = process.env): FridgeConfig {
  const temperature = { min: PLAUSIBLE_RANGE_C.min, max: PLAUSIBLE_RANGE_C.max };
  const maxTempC = envNumber(env, "MAX_TEMP_C", 5, temperature);
  const criticalTempC = envNumber(env, "CRITICAL_TEMP_C", 8, temperature);
  // A critical threshold at or below the warning one would skip the sustained-breach rule entirely.
  if (criticalTempC <= maxTempC) {
    throw new ConfigError("CRITICAL_TEMP_C", `must be above MAX_TEMP_C (${maxTempC}), got ${criticalTempC}`);
  }
  return {
    defaultUnit: envChoice(env, "DEFAULT_UNIT", ["C", "F"] as const, "C"),
    thresholds: {
      maxTempC,
      criticalTempC,
      sustainSeconds: envInteger(env, "SUSTAIN_SECONDS", 300, { min: 0, max: ONE_DAY_SECONDS }),
      hysteresisC: envNumber(env, "HYSTERESIS_C", 0.5, { min: 0, max: 10 }),
    },
    staleAfterSeconds: envInteger(env, "STALE_AFTER_SECONDS", 900, { min: 60, max: 7 * ONE_DAY_SECONDS }),
    alertWebhookUrl: envUrl(env, "ALERT_WEBHOOK_URL"),
  };
}
