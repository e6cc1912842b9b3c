// Fixtures for the payment function's own tests: secrets, tokens, databases and a served handler.
// Fakes only what is outside the product: the payment processor.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Store } from "@coffee-edge/node18-typescript/store";
import { createTestPostgres, startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import jwt from "jsonwebtoken";
import pg from "pg";
import { createHandler, defaultDeps, openPaymentStore, type PaymentDeps } from "./payment-function.js";
import type { ChargeOutcome, ChargeRequest, PaymentProcessor, RefundRequest } from "./processor.js";
import { createSimulatedProcessor } from "./simulator.js";

export const JWT_SECRET = "test-only-hs256-secret-of-at-least-32-bytes";
export const API_KEY = "kiosk-key-for-tests-only";

/** A valid payment body; spread and override members per test. */
export function validPayment(orderId = uniqueOrderId()) {
  return {
    orderId,
    store: "store042",
    amount: { value: 450, currency: "EUR" },
    method: "card",
    token: "tok_visa",
    customer: { name: "Ada" },
    items: [{ sku: "ESP-01", name: "Espresso", quantity: 2, unitPrice: 225 }],
  };
}

let orderCounter = 0;
/** Order ids unique across test files sharing one database. */
export function uniqueOrderId(): string {
  orderCounter += 1;
  return `ord-${process.pid}-${Date.now().toString(36)}-${orderCounter}`;
}

/** A folder holding `jwt-secret` and `payment-api-key`, as OpenFaaS mounts them. */
export async function createSecretsFolder(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "payment-secrets-"));
  await writeFile(join(dir, "jwt-secret"), `${JWT_SECRET}\n`);
  await writeFile(join(dir, "payment-api-key"), `${API_KEY}\n`);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A bearer token as the chain's identity service would mint it (HS256, issuer coffee-edge, audience payment). */
export function bearer(scope: string, options: jwt.SignOptions = {}, secret = JWT_SECRET): string {
  const token = jwt.sign({ scope, sub: "till-7" }, secret, {
    algorithm: "HS256",
    issuer: "coffee-edge",
    audience: "payment",
    expiresIn: "5m",
    ...options,
  });
  return `Bearer ${token}`;
}

export interface DatabaseTarget {
  readonly name: "sqlite" | "postgres";
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A SQLite file in a temp folder and, where a PostgreSQL answers, a throw-away database on it: the suites
 * that take these run once per database (`describe.each`), so the PostgreSQL run is registered only when
 * there is one (createTestPostgres refuses to skip under CI=true).
 */
export async function databaseTargets(): Promise<DatabaseTarget[]> {
  const dir = await mkdtemp(join(tmpdir(), "payment-db-"));
  const targets: DatabaseTarget[] = [
    { name: "sqlite", url: `sqlite:${join(dir, "payment.db")}`, drop: () => rm(dir, { recursive: true, force: true }) },
  ];
  const postgres = await createTestPostgres(pg);
  if ("database" in postgres) {
    targets.push({ name: "postgres", url: postgres.database.url, drop: () => postgres.database.drop() });
  }
  return targets;
}

/** Wraps a processor, counting what reaches it; `hold()` makes charges and refunds wait until `release()`. */
export class CountingProcessor implements PaymentProcessor {
  charges: ChargeRequest[] = [];
  refunds: RefundRequest[] = [];
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;
  #arrivals: Array<() => void> = [];

  constructor(readonly inner: PaymentProcessor = createSimulatedProcessor()) {}

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#open();
  }

  /** Resolves once a charge or a refund has reached the processor. */
  reached(): Promise<void> {
    if (this.charges.length + this.refunds.length > 0) return Promise.resolve();
    return new Promise((resolve) => this.#arrivals.push(resolve));
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    this.charges.push(request);
    await this.#arrive();
    return this.inner.charge(request);
  }

  async refund(request: RefundRequest): Promise<void> {
    this.refunds.push(request);
    await this.#arrive();
    await this.inner.refund(request);
  }

  async #arrive(): Promise<void> {
    for (const notify of this.#arrivals.splice(0)) notify();
    await this.#gate;
  }
}

/** A processor that cannot be reached, until `recover()`. */
export class FlakyProcessor implements PaymentProcessor {
  down = true;
  readonly inner = new CountingProcessor();

  recover(): void {
    this.down = false;
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    if (this.down) throw new Error(`connect ECONNREFUSED (token ${request.token ?? "none"})`);
    return this.inner.charge(request);
  }

  async refund(request: RefundRequest): Promise<void> {
    if (this.down) throw new Error("connect ECONNREFUSED");
    await this.inner.refund(request);
  }
}

export interface ServedPayment {
  readonly url: string;
  readonly server: TestServer;
  readonly store: Store;
  close(): Promise<void>;
}

/** The payment handler over real HTTP, on the given database, with the processor and clock given. */
export async function servePayment(
  databaseUrl: string,
  overrides: Partial<Omit<PaymentDeps, "store">> = {},
): Promise<ServedPayment> {
  const secrets = await createSecretsFolder();
  const env = { DATABASE_URL: databaseUrl, secret_mount_path: secrets.dir };
  const store = await openPaymentStore(env);
  const handler = createHandler({ ...defaultDeps(env), store: async () => store, ...overrides });
  const server = await startTestServer(handler);
  return {
    url: server.url,
    server,
    store,
    async close() {
      await server.close();
      await store.close();
      await secrets.remove();
    },
  };
}

/** POSTs a JSON payment with the headers given (a write-scoped bearer token unless told otherwise). */
export function postPayment(
  url: string,
  body: unknown,
  headers: Record<string, string> = { authorization: bearer("payments:write") },
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}
