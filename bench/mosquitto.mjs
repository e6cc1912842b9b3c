// A Mosquitto broker of the bench's own on a free port of 127.0.0.1 (the .mjs twin of
// gateway/test/support/mosquitto.ts): anonymous, no persistence, and queues wide enough that the broker is never
// what limits a run.
import { spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, sleep } from "./edge.mjs";

export const MOSQUITTO_BINARY = process.env.MOSQUITTO_BINARY ?? "/usr/sbin/mosquitto";

const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 3000;
const ATTEMPTS = 3;
const MAX_LOG_CHARS = 8000;

// A connector that falls behind must find its messages queued, not dropped (Mosquitto's default queue is 1000
// messages per client), and a publisher's window of unacknowledged QoS 1 messages must not be cut to 20.
const THROUGHPUT_CONFIG = ["max_queued_messages 1000000", "max_inflight_messages 1000"];

/** Throws a message naming the binary when Mosquitto is not installed (the section needs it). */
export function requireMosquitto(binary = MOSQUITTO_BINARY) {
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    throw new Error(
      `the mqtt section needs Mosquitto at ${binary} (apt-get install mosquitto, or set MOSQUITTO_BINARY)`,
    );
  }
}

/**
 * Starts Mosquitto and resolves { url, port, pid, log(), stop() } once its port accepts connections. A port found
 * free can be taken before Mosquitto binds it, so a broker that exits at start is retried on another port.
 * `stop()` (SIGTERM, then SIGKILL) removes its folder and is safe to call twice.
 */
export async function startMosquitto({ binary = MOSQUITTO_BINARY, config = THROUGHPUT_CONFIG } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "bench-mosquitto-"));
  let lastError;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const port = await freePort();
    const configFile = join(dir, "mosquitto.conf");
    const lines = [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr"];
    writeFileSync(configFile, `${[...lines, ...config].join("\n")}\n`);
    const child = spawn(binary, ["-c", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      log = (log + chunk).slice(-MAX_LOG_CHARS);
    });
    try {
      await waitUntilAccepting(port, child, () => log);
      let stopped;
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        pid: child.pid,
        log: () => log,
        stop() {
          stopped ??= stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true }));
          return stopped;
        },
      };
    } catch (error) {
      await stopChild(child);
      lastError = new Error(`mosquitto did not start on port ${port}: ${error.message}\n${log}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

const hasExited = (child) => child.exitCode !== null || child.signalCode !== null;

/**
 * Waits for Mosquitto to say it runs and for the port to accept: the port alone could be answered by whoever
 * took it between freePort() and Mosquitto's bind (Mosquitto then exits, a moment later).
 */
async function waitUntilAccepting(port, child, log) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (hasExited(child)) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    if (/ running$/m.test(log()) && (await accepts(port)) && !hasExited(child)) return;
    await sleep(50);
  }
  throw new Error(`port not accepting after ${START_TIMEOUT_MS} ms`);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function stopChild(child) {
  if (hasExited(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(killer);
}
