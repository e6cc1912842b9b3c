import {
  createLogger,
  type FunctionContext,
  type FunctionEvent,
  type Handler,
  type Logger,
  ProblemError,
  problemType,
} from "@coffee-edge/node18-typescript";
import { connectorOf, headerValue } from "@coffee-edge/node18-typescript/request";
import { step } from "@coffee-edge/node18-typescript/steps";
import { openOnFirstUse, openStore, type Store } from "@coffee-edge/node18-typescript/store";
import Database from "better-sqlite3";
import pg from "pg";
import { type EspressoConfig, FUNCTION_NAME, loadConfig } from "./config.js";
import { dailyReport, readReportQuery } from "./daily-report.js";
import { createSender, type Send } from "./delivery.js";
import { migrations } from "./migrations.js";
import { runNightly } from "./nightly-run.js";
import { recordShot } from "./record-shot.js";
import { readShot } from "./shot-input.js";

export interface EspressoDeps {
  readonly config: EspressoConfig;
  /** Opens the store (run once, at the first request that needs it). */
  readonly openStore: () => Promise<Store>;
  readonly now?: () => Date;
  /** POSTs alerts and rollups; the kit's postJson by default. */
  readonly send?: Send;
  readonly logger?: Logger;
}

/** The handler, plus `close` for tests and embedders: it closes the store if one was opened. */
export interface EspressoHandler extends Handler {
  close(): Promise<void>;
}

/**
 * espresso-counter: POST a shot (from the MQTT connector, topic `store/{storeId}/espresso/{machineId}/shot`),
 * POST from the cron connector for the nightly rollup, GET a store's counts for a day.
 */
export function createHandler(deps: EspressoDeps): EspressoHandler {
  const now = deps.now ?? (() => new Date());
  const send = deps.send ?? createSender();
  const logger = deps.logger ?? createLogger();
  const { config } = deps;
  const store = lazyStore(deps.openStore);

  const handler = async (event: FunctionEvent, context: FunctionContext): Promise<unknown> => {
    if (event.path !== "/") {
      throw new ProblemError(404, {
        type: problemType("not-found"),
        title: "Not found",
        detail: "espresso-counter answers at its root only: GET /?store=… or POST /.",
      });
    }
    if (event.method === "GET" || event.method === "HEAD") {
      const query = await step("validate", () => readReportQuery(event));
      const settings = { threshold: config.dailyThreshold, timeZone: config.timeZone, now: now() };
      return dailyReport(await store.get(), query, settings);
    }
    if (event.method !== "POST") {
      throw new ProblemError(405, {
        type: problemType("method-not-allowed"),
        title: "Method not allowed",
        detail: "Use GET for a store's counts and POST for shot events.",
        headers: { allow: "GET, HEAD, POST" },
      });
    }
    if (isCronInvocation(event)) {
      return runNightly(await store.get(), { config, now, send, logger });
    }
    // Validated before the store is opened: bad input costs nothing and cannot reach the database.
    const shot = await step("validate", () => readShot(event, now()));
    const { answer, duplicate } = await recordShot(await store.get(), shot, { config, now, send, logger });
    // The body keeps the documented shape; a redelivered event is flagged in a header.
    if (duplicate) context.headers({ "x-espresso-duplicate": "true" });
    return answer;
  };
  return Object.assign(handler, { close: () => store.close() });
}

/** The cron connector sends `X-Connector: cron-connector` and `X-Topic: cron-function`, and no body. */
function isCronInvocation(event: FunctionEvent): boolean {
  return connectorOf(event) === "cron-connector" || headerValue(event, "x-topic") === "cron-function";
}

/**
 * The store, opened at its first use (the kit's openOnFirstUse: shared, and retried after a failed open),
 * plus a close for tests and shutdown after which the next use opens it again.
 */
function lazyStore(open: () => Promise<Store>) {
  let opened: Promise<Store> | undefined;
  const opener = () =>
    openOnFirstUse(() => {
      opened = open();
      return opened;
    });
  let get = opener();
  return {
    get: () => get(),
    async close(): Promise<void> {
      const pending = opened;
      opened = undefined;
      get = opener();
      if (pending) await (await pending.catch(() => undefined))?.close();
    },
  };
}

/** The deployed wiring: configuration from the environment, SQLite or PostgreSQL as DATABASE_URL says. */
export function defaultDeps(env: NodeJS.ProcessEnv = process.env): EspressoDeps {
  const config = loadConfig(env);
  return {
    config,
    openStore: () =>
      openStore({
        functionName: FUNCTION_NAME,
        drivers: { sqlite: Database, postgres: pg },
        migrations,
        env: { DATABASE_URL: config.databaseUrl },
      }),
  };
}

export default createHandler(defaultDeps());
