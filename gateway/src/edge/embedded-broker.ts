import { execFile } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { GatewayConfig } from "../config.js";
import { acceptsConnections } from "../runtime/port.js";
import { PortInUseError } from "./port-in-use.js";
import { SupervisedProcess } from "./supervised-process.js";

const run = promisify(execFile);

/** The users `npm start` creates on its broker: the connector, the dashboard, and one sensor per simulated store. */
export const EMBEDDED_USERS = [
  { name: "mqtt-connector", role: "connector" },
  { name: "dashboard", role: "dashboard" },
  { name: "sensor-store001", role: "sensor", store: "store001" },
  { name: "sensor-store002", role: "sensor", store: "store002" },
  { name: "sensor-store003", role: "sensor", store: "store003" },
] as const;

export interface EmbeddedBroker {
  /** `DATA_DIR/secrets/mqtt`: one file per user holding its password (0600). */
  readonly credentialsDir: string;
  stop(graceMs: number): Promise<void>;
}

/** The broker workspace's executable, if this installation has it. */
function brokerBin(): string | undefined {
  try {
    return path.join(
      path.dirname(createRequire(import.meta.url).resolve("@coffee-edge/broker/package.json")),
      "bin",
      "edge-broker.js",
    );
  } catch {
    return undefined;
  }
}

/**
 * Decides whose broker serves MQTT_PORT: ours (`embedded`) when the port is free, else the one already there. With
 * MQTT_BROKER=embedded a taken port is an error naming the port, MQTT_PORT, and MQTT_BROKER=external.
 */
export async function chooseBroker(config: GatewayConfig): Promise<"embedded" | "external"> {
  if (config.mqttBroker === "external" || brokerBin() === undefined) return "external";
  const free = await new Promise<boolean>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(false) : reject(error),
    );
    probe.listen(config.mqttPort, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
  if (free) return "embedded";
  if (config.mqttBroker === "auto") return "external";
  throw new PortInUseError(
    config.mqttPort,
    "MQTT_PORT",
    "or use the broker already running there instead of coffee-edge's: MQTT_BROKER=external npm start",
  );
}

/**
 * Runs coffee-edge's broker (edge-broker) on MQTT_PORT with its data in `DATA_DIR/broker`, after creating the users
 * the stack needs, each with a generated password kept in `DATA_DIR/secrets/mqtt/<user>`. Undefined when the
 * broker workspace is not installed.
 */
export async function startEmbeddedBroker(
  config: GatewayConfig,
  write: (line: string) => void,
): Promise<EmbeddedBroker | undefined> {
  const bin = brokerBin();
  if (config.mqttBroker === "external" || bin === undefined) return undefined;
  const env = {
    PATH: process.env.PATH ?? "",
    MQTT_PORT: String(config.mqttPort),
    BROKER_HOST: "127.0.0.1",
    DATA_DIR: path.join(config.dataDir, "broker"),
    WS_PORT: "off",
    HEALTH_PORT: "off",
  };
  const credentialsDir = path.join(config.dataDir, "secrets", "mqtt");
  mkdirSync(credentialsDir, { recursive: true, mode: 0o700 });
  for (const user of EMBEDDED_USERS) {
    const file = path.join(credentialsDir, user.name);
    if (existsSync(file)) continue;
    // A user left from an earlier DATA_DIR without its password file is replaced.
    await run(process.execPath, [bin, "user", "remove", user.name], { env }).catch(() => undefined);
    const args = [
      bin,
      "user",
      "add",
      user.name,
      "--role",
      user.role,
      ...("store" in user ? ["--store", user.store] : []),
    ];
    const { stdout } = await run(process.execPath, args, { env });
    const password = stdout.trim().split("\n").at(-1) ?? "";
    writeFileSync(file, password, { mode: 0o600 });
  }
  const broker = new SupervisedProcess({ name: "edge-broker", file: process.execPath, args: [bin], env, write });
  broker.start();
  const deadline = Date.now() + 15_000;
  while (!(await acceptsConnections(config.mqttPort, 500))) {
    if (Date.now() > deadline) {
      await broker.stop(1000);
      throw new Error(`edge-broker did not listen on port ${config.mqttPort} within 15 s (see its lines above)`);
    }
    await sleep(50);
  }
  return { credentialsDir, stop: (graceMs) => broker.stop(graceMs) };
}
