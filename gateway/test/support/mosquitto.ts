import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { isExecutable } from "./executable.js";

/** A real Mosquitto broker started for a test, listening on 127.0.0.1 only. */
export interface Mosquitto {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Its log so far (stderr), for a failing test's message. */
  log(): string;
  /** Stops the broker (SIGTERM, then SIGKILL) and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Default true. False without a `password_file` line in `config`: every client is refused. */
  readonly allowAnonymous?: boolean;
  /** Extra lines for mosquitto.conf, e.g. `password_file /path` or `max_inflight_messages 1`. */
  readonly config?: readonly string[];
  readonly binary?: string;
  /** A fixed port (e.g. to restart a broker where its clients expect it); a free one by default. */
  readonly port?: number;
}

/** Where Debian and Ubuntu install it; `MOSQUITTO_BINARY` points elsewhere. */
export const MOSQUITTO_BINARY = process.env.MOSQUITTO_BINARY ?? "/usr/sbin/mosquitto";

/** True when the Mosquitto binary exists and may be run. */
export function mosquittoAvailable(binary = MOSQUITTO_BINARY): boolean {
  return isExecutable(binary);
}

const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 3000;
const ATTEMPTS = 3;
const MAX_LOG_CHARS = 8000;

/**
 * Starts Mosquitto on a free port of 127.0.0.1 (anonymous access, no persistence, log on stderr), and resolves once
 * the port accepts connections. A port found free can be taken before Mosquitto binds it, so a broker that
 * exits at start is retried on another port.
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = options.binary ?? MOSQUITTO_BINARY;
  const dir = await mkdtemp(path.join(os.tmpdir(), "coffee-edge-mosquitto-"));
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const port = options.port ?? (await freePort());
    const configFile = path.join(dir, "mosquitto.conf");
    const config = [
      `listener ${port} 127.0.0.1`,
      `allow_anonymous ${options.allowAnonymous ?? true}`,
      "persistence false",
      "log_dest stderr",
      ...(options.config ?? []),
    ];
    await writeFile(configFile, `${config.join("\n")}\n`);
    const child = spawn(binary, ["-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      log = (log + chunk).slice(-MAX_LOG_CHARS);
    });
    try {
      await waitUntilAccepting(port, child);
      let stopped: Promise<void> | undefined;
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        log: () => log,
        stop() {
          stopped ??= stopChild(child).finally(() => rm(dir, { recursive: true, force: true }));
          return stopped;
        },
      };
    } catch (error) {
      await stopChild(child);
      lastError = new Error(`mosquitto did not start on port ${port}: ${(error as Error).message}\n${log}`);
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no TCP port for mosquitto");
  return address.port;
}

async function waitUntilAccepting(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port not accepting after ${START_TIMEOUT_MS} ms`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
