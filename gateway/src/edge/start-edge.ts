import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { openAsyncQueue } from "../async/queue-store.js";
import { type AsyncWorker, startAsyncWorker } from "../async/worker.js";
import type { GatewayConfig } from "../config.js";
import { createGatewayServer } from "../http/gateway-server.js";
import { loopbackInvoke } from "../http/loopback-invoke.js";
import { createLogBook } from "../logs/log-book.js";
import { GatewayMetrics } from "../observe/metrics.js";
import { FunctionRuntime } from "../runtime/function-runtime.js";
import { type FunctionSpec, resolveFunctionSpec } from "../runtime/function-spec.js";
import { openSecretFolder } from "../secrets/secret-folder.js";
import { loadStack } from "../stack/stack.js";
import { LiveFeed } from "../ui/live-feed.js";
import { type SensorSubscriber, startSensorSubscriber } from "../ui/sensor-subscriber.js";
import { loadStaticAssets } from "../ui/static-assets.js";
import { batchedWriter } from "./batched-writer.js";
import { type ConnectorsStarted, startConnectors } from "./connectors.js";
import { chooseBroker, type EmbeddedBroker, startEmbeddedBroker } from "./embedded-broker.js";
import { isAddressInUse, PortInUseError } from "./port-in-use.js";

export interface EdgeOptions {
  readonly config: GatewayConfig;
  readonly stackFile: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where the gateway's own lines and every function's output (prefixed by its instance) are printed. */
  readonly out: Writable;
  /** Runs before the functions start, e.g. to compile their handlers. */
  readonly beforeFunctions?: (specs: readonly FunctionSpec[]) => Promise<void>;
  /** How often scaling decisions run; tests shorten it. */
  readonly tickMs?: number;
  /** Start the cron connector and (with a broker on MQTT_PORT) the MQTT connector; `coffee-edge up` does. */
  readonly connectors?: boolean;
}

/** What `coffee-edge up` started, for the banner, the watcher and a clean stop. */
export interface Edge {
  readonly url: string;
  readonly port: number;
  readonly config: GatewayConfig;
  readonly specs: readonly FunctionSpec[];
  readonly runtime: FunctionRuntime;
  readonly credentialFiles: { readonly user: string; readonly passwordFile: string; readonly created: boolean };
  /** Function secrets stack.yml names that did not exist and were generated at this start. */
  readonly generatedSecrets: readonly string[];
  /** The banner's lines about the connectors (none when they were not asked for). */
  readonly connectorLines: readonly string[];
  /** Where the embedded broker's users' passwords are, when `npm start` runs coffee-edge's broker. */
  readonly brokerCredentialsDir?: string;
  /** Drains calls in flight, keeps the async queue on disk, stops every replica; resolves when all is down. */
  stop(): Promise<void>;
}

const VERSION: string = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/**
 * The one-machine edge stack: the OpenFaaS-compatible gateway, the durable async queue and its worker, and
 * every function of the stack as replica processes. The gateway's port is taken before any function starts,
 * so a clash stops everything at once with a message that says how to move it.
 */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const { config } = options;
  const terminal = batchedWriter(options.out);
  const say = (text: string) => terminal.write(`gateway | ${text}\n`);
  const host = config.gatewayHost === "0.0.0.0" || config.gatewayHost === "::" ? "127.0.0.1" : config.gatewayHost;
  const stack = await loadStack(options.stackFile, withDashboardAlerts(options.env, host, config.gatewayPort));
  const stackDir = path.dirname(path.resolve(options.stackFile));
  const specs = await Promise.all(
    stack.functions.map((fn) =>
      resolveFunctionSpec(fn, { stackDir, downWindowDefaultMs: config.scaleDownWindowMs, warn: say }),
    ),
  );

  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secrets = openSecretFolder(path.join(config.dataDir, "secrets"));
  const credentialFiles = secrets.ensureGatewayCredentials();
  const credentials = secrets.readGatewayCredentials();
  const generatedSecrets = secrets.ensureSecrets([...new Set(specs.flatMap((spec) => spec.secrets))]);

  const logs = createLogBook({
    dir: path.join(config.dataDir, "logs"),
    echo: (entry) => terminal.write(`${entry.instance} | ${entry.text}\n`),
    onFileError: (fn, error) => say(`cannot write the log file of ${fn}: ${error.message}`),
  });
  const queue = openAsyncQueue({ file: path.join(config.dataDir, "queue", "async.db") });
  let runtime: FunctionRuntime | undefined;
  const metrics = new GatewayMetrics({
    functions: () =>
      (runtime?.list() ?? []).map((pool) => ({
        name: pool.spec.name,
        desired: pool.desired,
        available: pool.available,
      })),
    queueDepth: () => queue.depth(),
  });
  runtime = new FunctionRuntime(specs, {
    dataDir: config.dataDir,
    logs,
    secrets,
    coldStartTimeoutMs: config.coldStartTimeoutMs,
    stopGraceMs: config.drainTimeoutMs,
    ...(options.tickMs ? { tickMs: options.tickMs } : {}),
    hostEnv: options.env,
    events: {
      coldStart: (fn, seconds, ok) => metrics.coldStart(fn, seconds, ok),
      crashed: (fn) => metrics.restarted(fn),
    },
  });

  let port = config.gatewayPort;
  let brokerChoice: "embedded" | "external" = "external";
  let worker: AsyncWorker | undefined;
  const feed = new LiveFeed();
  const server = createGatewayServer({
    runtime,
    metrics,
    credentials,
    queue,
    wakeWorker: () => worker?.wake(),
    logs,
    secrets,
    maxAsyncBodyBytes: config.maxAsyncBodyBytes,
    downWindowDefaultMs: config.scaleDownWindowMs,
    version: VERSION,
    ui: { assets: loadStaticAssets(), feed, jobs: queue },
    warn: say,
    onError: (error) => say(`unexpected error: ${(error as Error).stack ?? String(error)}`),
  });

  try {
    port = (await server.listen(config.gatewayPort, config.gatewayHost)).port;
    if (options.connectors) brokerChoice = await chooseBroker(config);
  } catch (error) {
    if (server.server.listening) await server.close(0);
    queue.close();
    await logs.close();
    terminal.flush();
    if (isAddressInUse(error)) throw new PortInUseError(config.gatewayPort, "GATEWAY_PORT");
    throw error;
  }
  await options.beforeFunctions?.(specs);
  runtime.start();
  // Started once the gateway listens: it runs queued calls through the gateway's own /function/ route.
  worker = startAsyncWorker({
    queue,
    invoke: loopbackInvoke(() => port, `coffee-edge/${VERSION} (async worker)`),
    concurrency: config.asyncConcurrency,
    maxAttempts: config.asyncMaxAttempts,
    retryMinMs: config.asyncRetryMinMs,
    retryMaxMs: config.asyncRetryMaxMs,
    callbackTimeoutMs: config.callbackTimeoutMs,
    logger: {
      info: (msg, fields) => say(`async: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`),
      warn: (msg, fields) => say(`async: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`),
    },
    events: {
      retried: (fn, what, status) => metrics.asyncRetried(fn, what, status),
      finished: (fn, state) => metrics.asyncDone(fn, state),
    },
  });

  const url = `http://${host}:${port}`;
  const write = (line: string) => terminal.write(line);
  let broker: EmbeddedBroker | undefined;
  let connectors: ConnectorsStarted | undefined;
  let sensors: SensorSubscriber | undefined;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // The connectors first: they feed the gateway, which still answers what they have in flight.
      await connectors?.stop(config.drainTimeoutMs);
      await sensors?.stop();
      await broker?.stop(config.drainTimeoutMs);
      // Then the worker, while the gateway still answers the calls it has running; what it has not begun
      // stays in the queue file for the next start.
      await worker?.stop(config.drainTimeoutMs);
      // Streams that never end by themselves (log tails, the dashboard's events) would hold the drain.
      logs.endFollowing();
      feed.close();
      await server.close(config.drainTimeoutMs);
      await runtime.stop();
      queue.close();
      await logs.close();
      terminal.flush();
    })();
    return stopping;
  };

  if (options.connectors) {
    try {
      if (brokerChoice === "embedded") broker = await startEmbeddedBroker(config, write);
      const mqttUser = broker
        ? { username: "mqtt-connector", passwordFile: path.join(broker.credentialsDir, "mqtt-connector") }
        : undefined;
      connectors = await startConnectors(config, url, write, mqttUser);
      sensors = startSensorSubscriber({
        brokerUrl: `mqtt://127.0.0.1:${config.mqttPort}`,
        ...(broker
          ? { user: { username: "dashboard", passwordFile: path.join(broker.credentialsDir, "dashboard") } }
          : {}),
        feed,
        say,
      });
    } catch (error) {
      await stop();
      throw error;
    }
  }

  return {
    url,
    port,
    config,
    specs,
    runtime,
    credentialFiles: {
      user: credentialFiles.user,
      passwordFile: credentialFiles.passwordFile,
      created: credentialFiles.created,
    },
    generatedSecrets,
    connectorLines: connectors?.lines ?? [],
    ...(broker ? { brokerCredentialsDir: broker.credentialsDir } : {}),
    stop,
  };
}

/**
 * Points the functions' `ALERT_WEBHOOK_URL` (stack.yml: `${ALERT_WEBHOOK_URL:-}`) at the gateway's alert hook, so
 * the dashboard shows alerts as they happen. A value the user set, even empty, wins; with GATEWAY_PORT=0 the port
 * is not known before the functions are configured, so nothing is set.
 */
function withDashboardAlerts(env: NodeJS.ProcessEnv, host: string, port: number): NodeJS.ProcessEnv {
  if (env.ALERT_WEBHOOK_URL !== undefined || port === 0) return env;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  return { ...env, ALERT_WEBHOOK_URL: `http://${hostPart}:${port}/hooks/alerts` };
}
