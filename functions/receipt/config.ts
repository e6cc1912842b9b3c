import { ConfigError, type Env, envString, envTimeZone } from "@coffee-edge/node18-typescript/env";

export interface ReceiptConfig {
  /** `RECEIPT_TIME_ZONE`: the zone the payment time is printed in (an IANA name); default UTC. */
  readonly timeZone: string;
  /** `RECEIPT_LOCALE`: how amounts and dates are written (a BCP 47 tag); default en-US. */
  readonly locale: string;
}

/** Reads the function's configuration once; throws a ConfigError naming the first unusable variable. */
export function loadConfig(env: Env): ReceiptConfig {
  return {
    timeZone: envTimeZone(env, "RECEIPT_TIME_ZONE", "UTC"),
    locale: envLocale(env, "RECEIPT_LOCALE", "en-US"),
  };
}

function envLocale(env: Env, name: string, fallback: string): string {
  const tag = envString(env, name, fallback);
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    if (canonical) return canonical;
  } catch {
    // an ill-formed tag: reported below
  }
  throw new ConfigError(name, `expected a BCP 47 language tag such as "en-US", got "${tag}"`);
}
