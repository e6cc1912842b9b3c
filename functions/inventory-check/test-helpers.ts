// Fixtures shared by this function's tests (compiled with the function but only imported by *.test.ts).
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@coffee-edge/node18-typescript";
import { createAuthenticator } from "@coffee-edge/node18-typescript/auth";
import type { Store } from "@coffee-edge/node18-typescript/store";
import { createTestPostgres, startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import pg from "pg";
import { FUNCTION_NAME } from "./config.js";
import { openInventoryStore } from "./deps.js";
import { createHandler } from "./handler.js";

/** Every request of these tests gives up after this long, so a hung server fails the test instead of stalling it. */
const REQUEST_TIMEOUT_MS = 10_000;

/** The fixed time the function's clock tells in tests. */
export const NOW = new Date("2025-03-01T06:00:00.000Z");

export interface DatabaseTarget {
  readonly name: string;
  readonly databaseUrl: string;
}

/**
 * The databases to run a suite on: a SQLite file in a temp folder, and a throw-away PostgreSQL database
 * when one answers (createTestPostgres fails under CI=true rather than skip), unless `postgres: false`.
 * `dispose` removes both.
 */
export async function databaseTargets(
  options: { postgres?: boolean } = {},
): Promise<{ targets: DatabaseTarget[]; dispose(): Promise<void> }> {
  const folder = mkdtempSync(join(tmpdir(), "inventory-check-"));
  const postgres = options.postgres === false ? { skipReason: "not asked for" } : await createTestPostgres(pg);
  const targets: DatabaseTarget[] = [{ name: "SQLite", databaseUrl: `sqlite:${join(folder, "inventory.db")}` }];
  if ("database" in postgres) targets.push({ name: "PostgreSQL", databaseUrl: postgres.database.url });
  return {
    targets,
    async dispose() {
      rmSync(folder, { recursive: true, force: true });
      if ("database" in postgres) await postgres.database.drop();
    },
  };
}

/** Opens the target's store with the function's own migrations. */
export function openTargetStore(target: DatabaseTarget): Promise<Store> {
  return openInventoryStore(target.databaseUrl);
}

/** Empties the function's tables so each test starts from no stock and no reservations. */
export async function clearInventory(store: Store): Promise<void> {
  await store.run("DELETE FROM inventory_reservations");
  await store.run("DELETE FROM inventory_stock");
}

/** The HS256 key the test function verifies tokens with (≥ 32 bytes, as the kit requires). */
const JWT_SECRET = "test-only-inventory-signing-key-0123456789abcdef";

export interface RunningInventory {
  readonly server: TestServer;
  readonly url: string;
  /** A token the function accepts, with these scopes; `claims` override the defaults. */
  token(scope: string, claims?: Record<string, unknown>): string;
  close(): Promise<void>;
}

/** Serves the function over real HTTP on 127.0.0.1, on `store`, with a fixed clock and a temp secrets folder. */
export async function startInventory(
  store: Store,
  options: { openStore?: () => Promise<Store> } = {},
): Promise<RunningInventory> {
  const secrets = mkdtempSync(join(tmpdir(), "inventory-secrets-"));
  writeFileSync(join(secrets, "jwt-secret"), JWT_SECRET);
  const handler = createHandler({
    openStore: options.openStore ?? (async () => store),
    authenticator: createAuthenticator({ functionName: FUNCTION_NAME, env: {}, secrets: { mountPath: secrets } }),
    clock: () => new Date(NOW),
    logger: createLogger(() => undefined),
  });
  const server = await startTestServer(handler);
  return {
    server,
    url: server.url,
    token: (scope, claims = {}) =>
      signHs256(JWT_SECRET, {
        iss: "coffee-edge",
        aud: FUNCTION_NAME,
        sub: "back-office",
        scope,
        // Real time, not NOW: the kit checks expiry against the real clock.
        exp: Math.floor(Date.now() / 1000) + 300,
        ...claims,
      }),
    async close() {
      await server.close();
      rmSync(secrets, { recursive: true, force: true });
    },
  };
}

/**
 * A compact HS256 JWT. Minted here with node:crypto rather than jsonwebtoken, whose type declarations are a
 * dev dependency of the template and so are missing in the function's own build context.
 */
export function signHs256(secret: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const unsigned = `${encode({ alg: "HS256", typ: "JWT" })}.${encode(claims)}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

export interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers as loosely as a client would.
  readonly body: any;
}

/** One bounded request; a JSON `body` is sent as application/json. */
export async function request(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: Buffer | string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  let body: Buffer | string | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, {
    method: init.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get("content-type"),
    headers: res.headers,
    body: text === "" ? undefined : JSON.parse(text),
  };
}

/** Sets one sku's stock directly through the API, as the back office would. */
export async function restock(
  inventory: RunningInventory,
  item: { store: string; sku: string; quantity: number; lowStockThreshold: number },
): Promise<Answer> {
  return request(`${inventory.url}/stock`, {
    method: "PUT",
    body: item,
    headers: { authorization: `Bearer ${inventory.token("inventory:write")}` },
  });
}
