import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLogger, type Logger } from "@coffee-edge/node18-typescript";
import type { Store } from "@coffee-edge/node18-typescript/store";
import { createTestPostgres, startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import pg from "pg";
import { afterAll } from "vitest";
import { loadConfig } from "./config.js";
import { createHandler, type FridgeDeps } from "./create-handler.js";
import { openFridgeStore } from "./fridge-store.js";

// Fixtures shared by this function's tests: databases, a clock, a webhook receiver, the served handler.

/** A database the store contract runs on: a fresh, empty store at each `open()`. */
export interface DatabaseTarget {
  readonly name: string;
  open(): Promise<Store>;
  /** One more store on the database the last `open()` gave, as a second replica would open it. */
  openAnother(): Promise<Store>;
}

/**
 * SQLite always; PostgreSQL when one answers (createTestPostgres throws under CI=true when none does).
 * Call at the top level of a test file: it registers the clean-up of what it creates.
 */
export async function databaseTargets(): Promise<DatabaseTarget[]> {
  const postgres = await createTestPostgres(pg);
  afterAll(async () => {
    if ("database" in postgres) await postgres.database.drop();
  });
  const targets: DatabaseTarget[] = [sqliteTarget()];
  if ("database" in postgres) {
    const { url } = postgres.database;
    targets.push({
      name: "PostgreSQL",
      async open() {
        const store = await openFridgeStore({ DATABASE_URL: url });
        // One database per test file: each test starts from empty tables.
        for (const table of ["fridge_states", "fridge_readings", "fridge_alerts"])
          await store.run(`DELETE FROM ${table}`);
        return store;
      },
      openAnother: () => openFridgeStore({ DATABASE_URL: url }),
    });
  }
  return targets;
}

/** SQLite files in a temporary folder removed after the test file: a new file at each `open()`. */
export function sqliteTarget(): DatabaseTarget {
  const dir = mkdtempSync(path.join(tmpdir(), "fridge-temperature-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const url = () => `sqlite:${path.join(dir, `${files}.db`)}`;
  return {
    name: "SQLite",
    open: () => {
      files++;
      return openFridgeStore({ DATABASE_URL: url() });
    },
    openAnother: () => openFridgeStore({ DATABASE_URL: url() }),
  };
}

/** A clock the test moves by hand. */
export interface TestClock {
  now(): Date;
  advance(seconds: number): void;
  /** The clock's time moved by `seconds` (default 0), as ISO 8601: a reading's `ts`. */
  at(seconds?: number): string;
}

export function testClock(start = "2025-03-01T08:00:00.000Z"): TestClock {
  let ms = Date.parse(start);
  return {
    now: () => new Date(ms),
    advance(seconds) {
      ms += seconds * 1000;
    },
    at: (seconds = 0) => new Date(ms + seconds * 1000).toISOString(),
  };
}

/** What a webhook receiver got: one entry per request, retries included. */
export interface ReceivedAlert {
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

export interface TestWebhook {
  readonly url: string;
  readonly received: ReceivedAlert[];
  /** The statuses of the next answers, in order; 204 once these are used up. */
  respondWith(...statuses: number[]): void;
  close(): Promise<void>;
}

/** A real HTTP alert receiver on 127.0.0.1, port 0. */
export async function startWebhook(): Promise<TestWebhook> {
  const received: ReceivedAlert[] = [];
  const statuses: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.statusCode = statuses.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/fridge?token=not-logged`,
    received,
    respondWith: (...next) => statuses.push(...next),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Log lines a test can read. */
export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger((line) => lines.push(line)), lines };
}

export interface FridgeFunctionOptions {
  readonly store: Store;
  readonly clock?: TestClock;
  /** Variables for loadConfig, e.g. `{ ALERT_WEBHOOK_URL: webhook.url }`. */
  readonly env?: Record<string, string>;
  readonly deps?: Partial<FridgeDeps>;
}

/** The function served over real HTTP as the template's shell serves it, with calls shaped as its callers make them. */
export interface FridgeFunction {
  readonly server: TestServer;
  readonly logs: string[];
  /** A reading as the MQTT connector delivers it: the topic in X-Topic. */
  publish(store: string, fridge: string, body: unknown): Promise<Response>;
  /** A POST with whatever body and headers. */
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  status(store: string): Promise<Response>;
  /** The cron connector's call. */
  cron(): Promise<Response>;
  close(): Promise<void>;
}

let ids = 0;

export async function startFridgeFunction(options: FridgeFunctionOptions): Promise<FridgeFunction> {
  const clock = options.clock ?? testClock();
  const { logger, lines } = captureLogs();
  const handler = createHandler({
    config: loadConfig(options.env ?? {}),
    openStore: async () => options.store,
    now: clock.now,
    newId: () => `id-${String(++ids).padStart(6, "0")}`,
    // Real HTTP to the webhook, real retries, no waiting between them.
    alertPost: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 2000 },
    logger,
    ...options.deps,
  });
  const server = await startTestServer(handler);
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(server.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return {
    server,
    logs: lines,
    post,
    publish: (store, fridge, body) =>
      post(JSON.stringify(body), {
        "x-topic": `store/${store}/fridge/${fridge}/temp`,
        "x-connector": "mqtt-connector",
      }),
    status: (store) => fetch(`${server.url}/?store=${encodeURIComponent(store)}`),
    cron: () =>
      fetch(server.url, { method: "POST", headers: { "x-connector": "cron-connector", "x-topic": "cron-function" } }),
    close: () => server.close(),
  };
}

/** Rows of the alerts table, oldest first. */
export function storedAlerts(store: Store) {
  return store.all<{
    id: string;
    incident_id: string;
    kind: string;
    store_id: string;
    fridge_id: string;
    status: string;
    temp_c: number | null;
    delivery: string;
    attempts: number;
    last_status: number | null;
  }>(
    "SELECT id, incident_id, kind, store_id, fridge_id, status, temp_c, delivery, attempts, last_status FROM fridge_alerts ORDER BY created_at, id",
  );
}
