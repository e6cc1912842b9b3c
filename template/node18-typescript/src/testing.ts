import { loadShellConfig } from "./config.js";
import { createLogger, type LogLevel } from "./log.js";
import { createShell } from "./server.js";
import type { Handler } from "./types.js";

export interface TestServerOptions {
  /** Shell variables as the watchdog would pass them, e.g. `{ RAW_BODY: "true", MAX_JSON_SIZE: "1kb" }`. */
  env?: Record<string, string | undefined>;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>`: call it with fetch, as the watchdog would. */
  readonly url: string;
  readonly port: number;
  /** The shell's log lines so far, parsed: one per request, plus warnings and errors. */
  readonly logs: ReadonlyArray<Record<string, unknown> & { level: LogLevel; msg: string }>;
  /** Drains and stops the server. */
  close(): Promise<void>;
}

/**
 * Serves `handler` exactly as the template's shell does in the image, on 127.0.0.1 and a free port,
 * so a function's own tests go through real HTTP: body parsing, status, headers and problem answers.
 */
export async function startTestServer(handler: Handler, options: TestServerOptions = {}): Promise<TestServer> {
  const config = loadShellConfig({ ...options.env, http_port: "0" });
  const logs: Array<Record<string, unknown> & { level: LogLevel; msg: string }> = [];
  const logger = createLogger((line) => logs.push(JSON.parse(line)));
  const shell = createShell(handler, config, { logger });
  const address = await shell.listen(0);
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    logs,
    close: async () => {
      await shell.close(1000);
    },
  };
}
export { type BadBody, type BadBodyOptions, badJsonBodies, mapConcurrently } from "./bad-input.js";
export { createTestPostgres, type TestPostgres, type TestPostgresResult } from "./testing-postgres.js";
