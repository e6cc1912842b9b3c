import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, loadShellConfig } from "./config.js";
import { loadHandler } from "./load-handler.js";
import { createLogger, describeError } from "./log.js";
import { registerOtlpTracing } from "./otlp.js";
import { createShell } from "./server.js";

/** The fprocess of the template: wires config, tracing, the handler and the server, then waits for SIGTERM. */
async function main(): Promise<void> {
  const logger = createLogger();
  let config: ReturnType<typeof loadShellConfig>;
  try {
    config = loadShellConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error(`invalid configuration: ${error.message}`, { variable: error.variable });
    process.exit(1);
  }

  const stopTracing = config.otlpEndpoint
    ? await registerOtlpTracing(process.env.OTEL_SERVICE_NAME ?? process.env.OPENFAAS_NAME ?? "function")
    : async () => {};

  const shellRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
  const handler = await loadHandler(config.functionDir ?? join(shellRoot, "function"));
  const shell = createShell(handler, config, { logger });

  // A promise nobody awaited must not take every in-flight request down with the process.
  process.on("unhandledRejection", (reason) => logger.error("unhandled promise rejection", describeError(reason)));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Leave a margin so the process is gone before the watchdog's write_timeout ends.
    const graceMs = Math.floor(config.writeTimeoutMs * 0.9);
    logger.info(`${signal}: draining, no new connections`, { graceMs });
    const outcome = await shell.close(graceMs);
    await stopTracing().catch((error: unknown) => logger.warn("trace export failed", describeError(error)));
    logger.info("stopped", { outcome });
    process.exit(outcome === "drained" ? 0 : 1);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  const address = await shell.listen(config.httpPort);
  logger.info(`node18-typescript listening on port: ${address.port}`, { port: address.port });
}

main().catch((error: unknown) => {
  createLogger().error("the function could not start", describeError(error));
  process.exit(1);
});
