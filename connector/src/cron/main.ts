import { Counter, Registry } from "prom-client";
import { ConfigError } from "../core/common-config.js";
import { Controller } from "../core/controller.js";
import { readGatewayAuthorization } from "../core/gateway-credentials.js";
import { startHealthServer } from "../core/health-server.js";
import { createInvoker } from "../core/invoker.js";
import { createJsonLogger } from "../core/logger.js";
import { loadCronConnectorConfig } from "./config.js";
import { CRON_CONNECTOR, invokeOnSchedule } from "./cron-invoke.js";
import { createCronScheduler } from "./cron-scheduler.js";

const USER_AGENT = "coffee-edge-cron-connector";

/**
 * cron-connector: every function whose `topic` lists `cron-function` and that has a `schedule` is invoked on
 * that schedule (`X-Topic: cron-function`, `X-Connector: cron-connector`, an empty body). Schedules follow the
 * function list, read every `rebuild_interval`. Returns 0 after SIGTERM/SIGINT, 1 for bad configuration.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logger = createJsonLogger("cron-connector");
  let config: ReturnType<typeof loadCronConnectorConfig>;
  let authorization: string | undefined;
  try {
    config = loadCronConnectorConfig(env);
    authorization = config.basicAuth ? readGatewayAuthorization(config.secretMountPath) : undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`cron-connector: ${error.message}\n`);
    return 1;
  }
  const stop = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => stop.abort());

  const invoker = createInvoker({
    gatewayUrl: config.gatewayUrl,
    asynchronous: config.asynchronous,
    connector: CRON_CONNECTOR,
    timeoutMs: config.upstreamTimeoutMs,
    ...(authorization ? { authorization } : {}),
    userAgent: USER_AGENT,
  });
  const registry = new Registry();
  const runs = new Counter({
    name: "cron_connector_runs_total",
    help: "Scheduled invocations by function and status (error: no answer)",
    labelNames: ["function_name", "status"] as const,
    registers: [registry],
  });
  const skipped = new Counter({
    name: "cron_connector_skipped_total",
    help: "Ticks not run because the previous run of the function was still in progress",
    labelNames: ["function_name"] as const,
    registers: [registry],
  });
  const scheduler = createCronScheduler({
    invoke: invokeOnSchedule(invoker),
    logger,
    events: {
      ran: (fn, status) => runs.inc({ function_name: fn, status: String(status) }),
      skipped: (fn) => skipped.inc({ function_name: fn }),
    },
  });
  const unscheduled = new Set<string>();
  const controller = new Controller({
    gatewayUrl: config.gatewayUrl,
    ...(authorization ? { authorization } : {}),
    timeoutMs: 10_000,
    userAgent: USER_AGENT,
    rebuildIntervalMs: config.rebuildIntervalMs,
    logger,
    onMap: (map) => {
      const entries = map.cronEntries().flatMap(({ fn, schedule }) => {
        if (schedule === undefined) {
          // Once per function, not at every refresh.
          if (!unscheduled.has(fn))
            logger.warn(`${fn} lists cron-function but has no schedule annotation; it is not scheduled`);
          unscheduled.add(fn);
          return [];
        }
        unscheduled.delete(fn);
        return [{ fn, schedule }];
      });
      scheduler.sync(entries);
    },
  });
  const health = await startHealthServer(
    config.port,
    config.host,
    () => (controller.ready ? undefined : "the function list has not been read yet"),
    registry,
  );
  await controller.start();
  logger.info(`running: health and metrics on http://${config.host}:${health.port}`);

  if (!stop.signal.aborted)
    await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
  logger.info("stopping: waiting for runs in progress");
  controller.stop();
  await scheduler.stop();
  await invoker.close();
  await health.close();
  return 0;
}
