import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPostgres, startTestServer, type TestServer } from "@coffee-edge/node18-typescript/testing";
import pg from "pg";
import { loadConfig } from "./config.js";
import { createSender } from "./delivery.js";
import { createHandler, defaultDeps, type EspressoHandler } from "./handler.js";

export type DatabaseKind = "sqlite" | "postgres";

export interface TestDatabase {
  readonly kind: DatabaseKind;
  readonly url: string;
  /** Removes the SQLite folder or drops the PostgreSQL database. */
  drop(): Promise<void>;
}

/**
 * The databases the store tests run on: SQLite always, PostgreSQL when one answers (createTestPostgres
 * says why it is skipped, and throws under CI=true). Probed once per test file.
 */
export async function databaseKinds(): Promise<Array<{ kind: DatabaseKind }>> {
  const probe = await createTestPostgres(pg);
  if (!("database" in probe)) return [{ kind: "sqlite" }];
  await probe.database.drop();
  return [{ kind: "sqlite" }, { kind: "postgres" }];
}

/** A new, empty database of that kind for one test. */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const dir = await mkdtemp(join(tmpdir(), "espresso-counter-"));
    return { kind, url: `sqlite:${join(dir, "espresso.db")}`, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const created = await createTestPostgres(pg);
  if (!("database" in created)) throw new Error(`PostgreSQL went away: ${created.skipReason}`);
  return { kind, url: created.database.url, drop: () => created.database.drop() };
}

/** A clock the test moves by hand. */
export interface TestClock {
  now: Date;
}

export interface Espresso {
  readonly url: string;
  readonly server: TestServer;
  readonly handler: EspressoHandler;
  readonly logs: Array<Record<string, unknown>>;
  /** POSTs a shot as the MQTT connector does: JSON (unless `contentType` says otherwise) with `X-Topic`. */
  shot(topic: string | undefined, payload: unknown, contentType?: string): Promise<Response>;
  /** POSTs as the cron connector does: no body, `X-Connector: cron-connector`, `X-Topic: cron-function`. */
  cron(): Promise<Response>;
  get(query: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Serves espresso-counter over real HTTP with the test's database, clock and environment. Deliveries use
 * the kit's postJson against real local servers, with retries that do not wait.
 */
export async function startEspresso(options: {
  database: TestDatabase;
  clock: TestClock;
  env?: Record<string, string>;
}): Promise<Espresso> {
  const env = { ...options.env, DATABASE_URL: options.database.url };
  const logs: Array<Record<string, unknown>> = [];
  const record = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    logs.push({ level, msg, ...fields });
  const handler = createHandler({
    config: loadConfig(env),
    openStore: defaultDeps(env).openStore,
    now: () => options.clock.now,
    send: createSender({ sleep: async () => undefined }),
    logger: { info: record("info"), warn: record("warn"), error: record("error") },
  });
  const server = await startTestServer(handler);
  const post = (headers: Record<string, string>, body?: string) =>
    fetch(server.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
  return {
    url: server.url,
    server,
    handler,
    logs,
    shot(topic, payload, contentType = "application/json") {
      const headers: Record<string, string> = { "content-type": contentType, "x-connector": "mqtt-connector" };
      if (topic !== undefined) headers["x-topic"] = topic;
      return post(headers, typeof payload === "string" ? payload : JSON.stringify(payload));
    },
    cron: () => post({ "x-connector": "cron-connector", "x-topic": "cron-function" }),
    get: (query) => fetch(`${server.url}/${query}`, { signal: AbortSignal.timeout(10_000) }),
    async close() {
      await server.close();
      await handler.close();
    },
  };
}

export interface ReceivedPost {
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** A webhook receiver (the alert receiver, the usage sink): a real HTTP server on 127.0.0.1, port 0. */
export interface Receiver {
  readonly url: string;
  /** Every POST, including those answered with an error. */
  readonly received: ReceivedPost[];
  /** The statuses to answer with next, one per request; 200 once they are used up. */
  answerNext(...statuses: number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedPost[] = [];
  const queue: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.statusCode = queue.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    answerNext: (...statuses) => queue.push(...statuses),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
