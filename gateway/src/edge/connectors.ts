import { createRequire } from "node:module";
import path from "node:path";
import type { GatewayConfig } from "../config.js";
import { acceptsConnections, freePort } from "../runtime/port.js";
import { SupervisedProcess } from "./supervised-process.js";

export interface ConnectorsStarted {
  /** What the banner says about each connector. */
  readonly lines: readonly string[];
  stop(graceMs: number): Promise<void>;
}

/** The connector workspace's executables, if this installation has it (it is optional for the gateway). */
function connectorBin(name: string): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@coffee-edge/connector/package.json");
    return path.join(path.dirname(manifest), "bin", `${name}.js`);
  } catch {
    return undefined;
  }
}

/**
 * Starts the cron connector, and the MQTT connector when a broker answers on MQTT_PORT, pointed at this gateway
 * with its basic-auth files, as the OpenFaaS chart points them at its gateway.
 */
export async function startConnectors(
  config: GatewayConfig,
  gatewayUrl: string,
  write: (line: string) => void,
  /** The MQTT connector's user on the embedded broker; none for an external broker (anonymous). */
  mqttUser?: { readonly username: string; readonly passwordFile: string },
): Promise<ConnectorsStarted> {
  const lines: string[] = [];
  const running: SupervisedProcess[] = [];
  const common = {
    PATH: process.env.PATH ?? "",
    gateway_url: gatewayUrl,
    basic_auth: "true",
    secret_mount_path: path.join(config.dataDir, "secrets"),
    rebuild_interval: "5s",
    host: "127.0.0.1",
  };
  const cron = connectorBin("cron-connector");
  if (cron) {
    const port = await freePort();
    running.push(
      new SupervisedProcess({
        name: "cron-connector",
        file: process.execPath,
        args: [cron],
        env: { ...common, port: String(port) },
        write,
      }),
    );
    lines.push(`  cron        cron-connector runs the functions' schedules (health http://127.0.0.1:${port}/healthz)`);
  } else {
    lines.push("  cron        cron-connector is not installed (connector workspace missing)");
  }
  const mqtt = connectorBin("mqtt-connector");
  const brokerUp = await acceptsConnections(config.mqttPort, 500);
  if (mqtt && brokerUp) {
    const port = await freePort();
    running.push(
      new SupervisedProcess({
        name: "mqtt-connector",
        file: process.execPath,
        args: [mqtt],
        env: {
          ...common,
          port: String(port),
          broker_url: `mqtt://127.0.0.1:${config.mqttPort}`,
          client_id: "coffee-edge-mqtt-connector",
          data_dir: path.join(config.dataDir, "connector"),
          ...(mqttUser ? { mqtt_username: mqttUser.username, mqtt_password_file: mqttUser.passwordFile } : {}),
        },
        write,
      }),
    );
    lines.push(
      `  connector   mqtt-connector on the broker at 127.0.0.1:${config.mqttPort}${mqttUser ? ` as ${mqttUser.username}` : ""} (health http://127.0.0.1:${port}/healthz)`,
    );
  } else if (mqtt) {
    lines.push(
      `  mqtt        no broker on 127.0.0.1:${config.mqttPort} (MQTT_PORT): mqtt-connector not started; start a broker there (mosquitto -p ${config.mqttPort}) and restart`,
    );
  }
  for (const companion of running) companion.start();
  return {
    lines,
    stop: async (graceMs) => {
      await Promise.all(running.map((companion) => companion.stop(graceMs)));
    },
  };
}
