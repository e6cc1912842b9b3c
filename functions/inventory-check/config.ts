import { type Env, envOptional, envString } from "@coffee-edge/node18-typescript/env";
import { databaseUrl, parseDatabaseUrl } from "@coffee-edge/node18-typescript/store";

/** The name OpenFaaS knows the function by: the default SQLite file and the JWT audience derive from it. */
export const FUNCTION_NAME = "inventory-check";

export interface InventoryConfig {
  /** `DATABASE_URL`: `sqlite:PATH` or `postgres://…`; default `sqlite:data/inventory-check.db`. */
  readonly databaseUrl: string;
  /** `secret_mount_path`: where the `jwt-secret` / `jwt-public-key` secrets are mounted. */
  readonly secretMountPath: string | undefined;
  /** `JWT_ISSUER` and `JWT_AUDIENCE`, as the kit's authenticator reads them (listed here for the README table). */
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
}

/**
 * Everything the function reads from its environment, checked in one place: a bad value throws a
 * ConfigError naming the variable, so the function stops at start with a message an operator can act on.
 */
export function loadConfig(env: Env): InventoryConfig {
  // DATABASE_URL, else the database-url secret, else sqlite:data/inventory-check.db (the kit's rule).
  const url = databaseUrl(env, FUNCTION_NAME);
  // Parsed only to fail at start on a typo; the store parses it again when it opens.
  parseDatabaseUrl(url);
  return {
    databaseUrl: url,
    secretMountPath: envOptional(env, "secret_mount_path"),
    jwtIssuer: envString(env, "JWT_ISSUER", "coffee-edge"),
    jwtAudience: envString(env, "JWT_AUDIENCE", FUNCTION_NAME),
  };
}
