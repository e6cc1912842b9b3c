import { type Env, envOptional } from "@coffee-edge/node18-typescript/env";
import { databaseUrl, parseDatabaseUrl } from "@coffee-edge/node18-typescript/store";

export const FUNCTION_NAME = "payment";

/**
 * Everything the payment function reads from its environment, checked here once: a bad value throws a
 * ConfigError naming the variable when the module loads, so the function fails at start, not mid-payment.
 * (`JWT_ISSUER` and `JWT_AUDIENCE` are read, and checked, by the kit's authenticator from the same env.)
 */
export interface PaymentConfig {
  /** `DATABASE_URL`: `sqlite:PATH` or `postgres://…`; default `sqlite:data/payment.db`. */
  readonly databaseUrl: string;
  /** `secret_mount_path`: where `jwt-secret`/`jwt-public-key` and `payment-api-key` are mounted. */
  readonly secretMountPath: string | undefined;
  /** The environment itself, for the kit's readers (JWT policy). */
  readonly env: Env;
}

export function loadConfig(env: Env = process.env): PaymentConfig {
  const url = databaseUrl(env, FUNCTION_NAME);
  parseDatabaseUrl(url); // throws ConfigError("DATABASE_URL", …) without echoing a password
  return {
    databaseUrl: url,
    secretMountPath: envOptional(env, "secret_mount_path"),
    env,
  };
}
