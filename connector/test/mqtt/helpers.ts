import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

const dirs: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mqtt-connector-"));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A test client (publisher or subscriber) that never reconnects on its own. */
export function client(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
}

/** Polls until `check` holds, failing with `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The settings every test connector shares: quick refreshes and retries, its own data folder. */
export function connectorEnv(
  gatewayUrl: string,
  brokerUrl: string,
  dataDir: string,
  more: Record<string, string> = {},
) {
  return {
    gateway_url: gatewayUrl,
    broker_url: brokerUrl,
    data_dir: dataDir,
    rebuild_interval: "200ms",
    retry_min: "20ms",
    retry_max: "200ms",
    client_id: `test-${path.basename(dataDir)}`,
    ...more,
  };
}
