import { randomInt } from "node:crypto";
import type { Writable } from "node:stream";
import { parseSimulateOptions, SimulateOptionError, type SimulateOptions } from "./options.js";
import { readPasswordFile } from "./password-file.js";
import { BrokerConnectionError, connectPublisher, type Publisher, redactBrokerUrl } from "./publisher.js";
import { runSimulation } from "./run.js";
import { simulateMessages } from "./scenario.js";
import { SimulationStats } from "./stats.js";
import { defaultCredentialsDir, routeByStore, sensorUser, storePasswords } from "./store-publishers.js";
import { SIMULATE_USAGE } from "./usage.js";

export interface SimulateIo {
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Stops the simulation; without it, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
}

const SUMMARY_EVERY_MS = 10_000;
/** How long the end waits for the broker to acknowledge what is still in flight. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * `coffee-edge simulate [options]`: publishes simulated store sensors to the MQTT broker. Resolves to the exit
 * code: 0 done, 1 broker unreachable or messages lost, 2 bad options.
 */
export async function simulateCommand(
  args: readonly string[],
  io: SimulateIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const { stdout, stderr } = io;
  let options: SimulateOptions;
  let password: string | undefined;
  try {
    options = parseSimulateOptions(args, process.env);
    if (options.help) {
      stdout.write(SIMULATE_USAGE);
      return 0;
    }
    password = options.passwordFile === undefined ? undefined : await readPasswordFile(options.passwordFile);
  } catch (error) {
    if (!(error instanceof SimulateOptionError)) throw error;
    stderr.write(`coffee-edge simulate: ${error.message}\n\n${SIMULATE_USAGE}`);
    return 2;
  }

  const broker = redactBrokerUrl(options.broker);
  const connect = (username: string | undefined, userPassword: string | undefined) =>
    connectPublisher({
      url: options.broker,
      qos: options.qos,
      ...(username === undefined ? {} : { username }),
      ...(userPassword === undefined ? {} : { password: userPassword }),
      onConnectionLost: (reason) => stderr.write(`simulate: lost the broker at ${broker} (${reason}); reconnecting…\n`),
      onReconnected: () => stderr.write(`simulate: reconnected to ${broker}\n`),
    });
  const credentialsDir =
    options.credentialsDir ?? (options.username === undefined ? defaultCredentialsDir(process.env) : undefined);
  let publisher: Publisher;
  try {
    if (credentialsDir === undefined) {
      publisher = await connect(options.username, password);
    } else {
      const publishers = new Map<string, Publisher>();
      for (const [store, storePassword] of await storePasswords(credentialsDir, options.stores)) {
        publishers.set(store, await connect(sensorUser(store), storePassword));
      }
      publisher = routeByStore(publishers);
    }
  } catch (error) {
    if (error instanceof BrokerConnectionError) {
      stderr.write(
        `coffee-edge simulate: ${error.message}\n` +
          "Start the broker (`npm start` runs one on MQTT_PORT, default 1883), or point --broker or MQTT_PORT at yours.\n",
      );
      return 1;
    }
    if (credentialsDir !== undefined && error instanceof Error && error.message.startsWith("no password for")) {
      stderr.write(`coffee-edge simulate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const seed = options.seed ?? randomInt(0, 2 ** 32);
  stdout.write(`${startLine(options, broker, seed)}\n`);
  const stop = io.signal === undefined ? stopOnSignals() : { signal: io.signal, dispose: () => undefined };
  const stats = new SimulationStats();
  const startedAt = performance.now();
  const elapsed = (): number => performance.now() - startedAt;
  const summaries = setInterval(() => stdout.write(`${stats.summaryLine(elapsed())}\n`), SUMMARY_EVERY_MS);
  const startAt = Date.now();
  try {
    const result = await runSimulation({
      messages: simulateMessages({ ...options, seed }, startAt),
      startAt,
      ...(options.durationMs === undefined ? {} : { durationMs: options.durationMs }),
      ...(options.count === undefined ? {} : { count: options.count }),
      publisher,
      stats,
      signal: stop.signal,
      onPublishError: (reason) => stderr.write(`simulate: a publish failed: ${reason}\n`),
    });
    const drained = await publisher.close(DRAIN_TIMEOUT_MS);
    stdout.write(`${stats.summaryLine(elapsed())}\n`);
    const lost = result.started - stats.sent;
    if (!drained || lost > 0) {
      stderr.write(`simulate: ${lost} message(s) were not acknowledged by the broker at ${broker}\n`);
      return 1;
    }
    return 0;
  } finally {
    clearInterval(summaries);
    stop.dispose();
  }
}

function startLine(options: SimulateOptions, broker: string, seed: number): string {
  const sensors = [
    `${options.fridges} fridge${options.fridges === 1 ? "" : "s"}`,
    `${options.machines} espresso machine${options.machines === 1 ? "" : "s"}`,
  ].join(" + ");
  const as = options.username === undefined ? "" : ` as ${options.username}`;
  const limits = [
    ...(options.count === undefined ? [] : [`${options.count} messages`]),
    ...(options.durationMs === undefined ? [] : [`${options.durationMs / 1000}s`]),
  ];
  const until = limits.length > 0 ? limits.join(" or ") : "Ctrl-C";
  return (
    `simulate: ${options.stores} store${options.stores === 1 ? "" : "s"} × (${sensors}) → ${broker}${as}, ` +
    `${options.rate} msg/s, QoS ${options.qos}, seed ${seed} (replay with --seed ${seed}); until ${until}`
  );
}

/** Ctrl-C or SIGTERM ends the run cleanly (in-flight publishes finish) instead of killing the process. */
function stopOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}
