// Our edge broker (broker/bin/edge-broker.js, compiled to broker/dist) as a child process of the bench, on a
// temporary DATA_DIR: its users are added with the real `edge-broker user add` beforehand, and it listens on
// port 0 (the OS picks a free port; the broker logs the one it got), so no other process can take it first.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "./edge.mjs";
import { root } from "./servers.mjs";

const EDGE_BROKER = join(root, "broker", "bin", "edge-broker.js");
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;

/** Throws a message saying how to build the broker when broker/dist is missing. */
export function requireBuiltBroker() {
  if (!existsSync(join(root, "broker", "dist", "cli", "main.js"))) {
    throw new Error("the broker section needs the compiled broker: run `npx tsc -b broker` first");
  }
}

/** A temporary DATA_DIR; `remove()` deletes it (persistence, users file, bridge outbox). */
export function temporaryDataDir() {
  const dir = mkdtempSync(join(tmpdir(), "bench-broker-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `edge-broker user add NAME --role ROLE [--store ID]` on `dataDir`; returns the generated password. */
export function addBrokerUser(dataDir, name, role, store) {
  const args = [EDGE_BROKER, "user", "add", name, "--role", role, ...(store ? ["--store", store] : [])];
  const stdout = execFileSync(process.execPath, args, {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
    encoding: "utf8",
  });
  return stdout.trimEnd().split("\n").at(-1);
}

/** mqtt://name:password@127.0.0.1:port (MQTT.js takes the credentials from the URL). */
export const urlWithUser = (port, name, password) =>
  `mqtt://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;

/**
 * Starts edge-broker on `dataDir` with `env` on top of the bench's settings (127.0.0.1, no WebSocket, MQTT on
 * port 0). Resolves { port, healthPort, pid, log(), stop() } once it logged "listening". Only PATH is inherited,
 * so no MQTT_PORT or BRIDGE_URL of the caller's shell changes what runs. `stop()` is SIGTERM (the broker closes
 * its bridge, aedes and LevelDB), then SIGKILL; safe to call twice.
 */
export async function startEdgeBroker(dataDir, env = {}) {
  const logFile = join(dataDir, "edge-broker.log");
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, [EDGE_BROKER], {
    env: {
      PATH: process.env.PATH,
      DATA_DIR: dataDir,
      BROKER_HOST: "127.0.0.1",
      MQTT_PORT: "0",
      WS_PORT: "off",
      HEALTH_PORT: "off",
      ...env,
    },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const log = () => readFileSync(logFile, "utf8");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let stopped;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
    })();
    return stopped;
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const listening = log()
      .split("\n")
      .map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return undefined;
        }
      })
      .find((entry) => entry?.msg === "listening");
    if (listening) {
      return { port: listening.mqtt, healthPort: listening.health, pid: child.pid, log, stop };
    }
    await sleep(50);
  }
  await stop();
  throw new Error(`edge-broker did not start within ${START_TIMEOUT_MS} ms:\n${log()}`);
}
