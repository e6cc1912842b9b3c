import { DEFAULT_SECRET_MOUNT_PATH } from "../../config.js";
import { readSecretSync, SecretNotFoundError } from "../../secrets.js";
import { type Env, envOptional } from "../env.js";
import { parseDatabaseUrl } from "./url.js";

/** The function secret that carries the store's URL on OpenFaaS, where a password must not sit in the environment. */
export const DATABASE_URL_SECRET = "database-url";

/**
 * The store's URL, from the first of:
 * 1. `DATABASE_URL` in the environment (the local runtime, tests, an explicit override);
 * 2. the `database-url` secret, when the function is deployed with it (`faas-cli up --secret database-url`):
 *    on K3s a PostgreSQL URL holds a password, and OpenFaaS keeps environment variables readable to anyone
 *    who can run `faas-cli describe`, so the URL travels as a secret file instead;
 * 3. a SQLite file under `data/` in the working directory.
 * A secret whose value is not a usable URL throws a ConfigError naming the secret, never its value.
 */
export function databaseUrl(env: Env, functionName: string): string {
  const fromEnvironment = envOptional(env, "DATABASE_URL");
  if (fromEnvironment !== undefined) return fromEnvironment;
  const fromSecret = readDatabaseUrlSecret(env);
  if (fromSecret !== undefined) return fromSecret;
  return `sqlite:data/${functionName}.db`;
}

function readDatabaseUrlSecret(env: Env): string | undefined {
  const mountPath = envOptional(env, "secret_mount_path") ?? DEFAULT_SECRET_MOUNT_PATH;
  let value: string;
  try {
    value = readSecretSync(DATABASE_URL_SECRET, { mountPath }).trim();
  } catch (error) {
    if (error instanceof SecretNotFoundError) return undefined;
    throw error;
  }
  // An empty secret is a mistake, not a request for the default: silently using SQLite would lose state.
  parseDatabaseUrl(value, `secret ${DATABASE_URL_SECRET}`);
  return value;
}
