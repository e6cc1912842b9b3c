import { createLogger, type Logger } from "@coffee-edge/node18-typescript";
import { type Authenticator, createAuthenticator } from "@coffee-edge/node18-typescript/auth";
import type { Env } from "@coffee-edge/node18-typescript/env";
import { openStore, type Store } from "@coffee-edge/node18-typescript/store";
import Database from "better-sqlite3";
import pg from "pg";
import { FUNCTION_NAME, loadConfig } from "./config.js";
import { migrations } from "./migrations.js";

/** The function's collaborators: tests pass their own store, clock and secrets folder. */
export interface InventoryDeps {
  /** Opens the store and brings its schema up to date; called at the first request that needs it. */
  readonly openStore: () => Promise<Store>;
  readonly authenticator: Authenticator;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/** The collaborators of the deployed function, configured from `env`; nothing is opened until a request. */
export function defaultDeps(env: Env = process.env): InventoryDeps {
  const config = loadConfig(env);
  return {
    openStore: () => openInventoryStore(config.databaseUrl),
    authenticator: createAuthenticator({
      functionName: FUNCTION_NAME,
      env: { JWT_ISSUER: config.jwtIssuer, JWT_AUDIENCE: config.jwtAudience },
      secrets: { mountPath: config.secretMountPath },
    }),
    clock: () => new Date(),
    logger: createLogger(),
  };
}

/** The store `databaseUrl` names, with this function's tables. */
export function openInventoryStore(databaseUrl: string): Promise<Store> {
  return openStore({
    functionName: FUNCTION_NAME,
    drivers: { sqlite: Database, postgres: pg },
    migrations,
    env: { DATABASE_URL: databaseUrl },
  });
}
