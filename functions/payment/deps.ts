import { randomBytes } from "node:crypto";
import { type Authenticator, createAuthenticator } from "@coffee-edge/node18-typescript/auth";
import type { Env } from "@coffee-edge/node18-typescript/env";
import { openOnFirstUse, openStore, type Store } from "@coffee-edge/node18-typescript/store";
import Database from "better-sqlite3";
import pg from "pg";
import { API_KEY_SCOPES } from "./access.js";
import { FUNCTION_NAME, loadConfig } from "./config.js";

import { migrations } from "./migrations.js";
import type { PaymentProcessor } from "./processor.js";
import { createSimulatedProcessor } from "./simulator.js";

/** The payment function's collaborators: everything outside its own logic, injectable by tests and benchmarks. */
export interface PaymentDeps {
  readonly authenticator: Authenticator;
  /** The store, opened at the first call and shared after (see openOnFirstUse). */
  readonly store: () => Promise<Store>;
  readonly processor: PaymentProcessor;
  readonly clock: () => Date;
  readonly newPaymentId: () => string;
}

/** `pay_` and 96 random bits: unguessable, so a payment id is no handle for enumerating payments. */
export function newPaymentId(): string {
  return `pay_${randomBytes(12).toString("hex")}`;
}

/** Opens the payment store `DATABASE_URL` (or the config) selects, with its schema up to date. */
export function openPaymentStore(env: Env = process.env): Promise<Store> {
  const config = loadConfig(env);
  return openStore({
    functionName: FUNCTION_NAME,
    drivers: { sqlite: Database, postgres: pg },
    migrations,
    env: { DATABASE_URL: config.databaseUrl },
  });
}

/** The collaborators of the deployed function, from its environment (validated once, here). */
export function defaultDeps(env: Env = process.env): PaymentDeps {
  const config = loadConfig(env);
  return {
    authenticator: createAuthenticator({
      functionName: FUNCTION_NAME,
      env: config.env,
      secrets: config.secretMountPath === undefined ? {} : { mountPath: config.secretMountPath },
      apiKeySecret: "payment-api-key",
      apiKeyScopes: API_KEY_SCOPES,
    }),
    store: openOnFirstUse(() => openPaymentStore(env)),
    processor: createSimulatedProcessor(),
    clock: () => new Date(),
    newPaymentId,
  };
}
