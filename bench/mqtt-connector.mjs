// Runs our mqtt-connector (connector/bin/mqtt-connector.js, built) as a child process against the bench's gateway
// and broker, with a queue of its own in a temp folder, as `coffee-edge up` would point it at the gateway.
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, httpCall, waitFor } from "./edge.mjs";
import { root } from "./servers.mjs";

const CONNECTOR = join(root, "connector", "bin", "mqtt-connector.js");
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/**
 * Starts the connector and resolves { url, pid, logTail(), stop() } once /healthz answers 200 and it logged that
 * it is ready (subscribed, dispatcher running). `stop()` (SIGTERM, SIGKILL after a bound) removes its folder and
 * is safe to call twice; a start that fails cleans up before it throws.
 */
export async function startMqttConnector({ gateway, brokerUrl, maxInflight }) {
  const dir = mkdtempSync(join(tmpdir(), "bench-mqtt-connector-"));
  const port = await freePort();
  const logFile = join(dir, "connector.log");
  // A file, not a pipe: draining its output here would cost the measuring process CPU during a run.
  const out = openSync(logFile, "w");
  const child = spawn(process.execPath, [CONNECTOR], {
    env: {
      PATH: process.env.PATH,
      gateway_url: gateway.url,
      basic_auth: "true",
      secret_mount_path: join(gateway.dataDir, "secrets"),
      broker_url: brokerUrl,
      client_id: `bench-mqtt-connector-${process.pid}`,
      data_dir: join(dir, "data"),
      port: String(port),
      host: "127.0.0.1",
      rebuild_interval: "1s",
      max_inflight: String(maxInflight),
      queue_sync: "normal",
      NODE_ENV: "production",
    },
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  let exited = false;
  const exit = new Promise((resolve) => child.once("exit", resolve));
  child.once("exit", () => {
    exited = true;
  });
  const logTail = () => {
    try {
      return readFileSync(logFile, "utf8").slice(-3000);
    } catch {
      return "";
    }
  };
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (!exited) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exit;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      "the mqtt-connector ready",
      async () => {
        if (exited) throw new Error(`the mqtt-connector exited before it was ready:\n${logTail()}`);
        try {
          const healthy = (await httpCall(`${url}/healthz`, { timeoutMs: 2000 })).status === 200;
          return healthy && logTail().includes('"ready: ');
        } catch {
          return false;
        }
      },
      { timeoutMs: START_TIMEOUT_MS, everyMs: 100 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid, logTail, stop };
}
