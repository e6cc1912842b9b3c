import { mkdir, readdir } from "node:fs/promises";
import mqtt from "mqtt";
import type { NativeImage } from "../../connector/image/build-natively.js";
import { type ProbeResult, probeImageCommand } from "../../connector/image/probe-command.js";
import { type RunResult, runImageCommand } from "../../connector/image/run-command.js";
import { freePort } from "../../gateway/src/runtime/port.js";

export const BROKER_DOCKERFILE = "broker/Dockerfile";
/** The documented way to add a user in the image (`docker run ... coffee-edge/broker node bin/edge-broker.js user add`). */
export const USER_ADD_COMMAND: readonly string[] = [
  "node",
  "bin/edge-broker.js",
  "user",
  "add",
  "probe",
  "--role",
  "dashboard",
];

export interface BrokerProbe {
  /** GET /healthz of the broker started with the image's CMD; exit is how it ended after SIGTERM. */
  readonly health: ProbeResult;
  /** `node bin/edge-broker.js user add probe --role dashboard`, run while the broker serves, on its DATA_DIR. */
  readonly userAdd: RunResult;
  /** Whether an MQTT client logged in as the new user, with the password the command printed. */
  readonly loggedIn: boolean | string;
  /** What the broker left in its DATA_DIR. */
  readonly dataDirEntries: readonly string[];
}

/**
 * Starts edge-broker from the natively built image with the image's CMD, on free ports on loopback (the image
 * listens on 0.0.0.0 for clients outside the container) and `dataDir` as DATA_DIR; once /healthz answers, adds a
 * user with the image's CLI and logs in with it over MQTT, then stops the broker.
 */
export async function probeBroker(image: NativeImage, dataDir: string): Promise<BrokerProbe> {
  await mkdir(dataDir, { recursive: true });
  const mqttPort = await freePort();
  const env = {
    MQTT_PORT: String(mqttPort),
    WS_PORT: String(await freePort()),
    HEALTH_PORT: String(await freePort()),
    BROKER_HOST: "127.0.0.1",
    HEALTH_HOST: "127.0.0.1",
    DATA_DIR: dataDir,
  };
  let userAdd: RunResult | undefined;
  let loggedIn: boolean | string = false;
  const health = await probeImageCommand(image, image.cmd, {
    env,
    healthPortVariable: "HEALTH_PORT",
    searchPath: image.searchPath,
    whileServing: async () => {
      userAdd = await runImageCommand(image, USER_ADD_COMMAND, { env, searchPath: image.searchPath });
      // The password is alone on the last line, as `edge-broker user add` promises.
      const password = userAdd.stdout.trimEnd().split("\n").pop();
      if (userAdd.exit === 0 && password) loggedIn = await logsIn(mqttPort, "probe", password);
    },
  });
  if (userAdd === undefined) throw new Error("the broker answered /healthz but the user was not added");
  return { health, userAdd, loggedIn, dataDirEntries: (await readdir(dataDir)).sort() };
}

/** One bounded MQTT login: true on CONNACK success, else the reason. */
async function logsIn(port: number, username: string, password: string): Promise<boolean | string> {
  const client = mqtt.connect({
    host: "127.0.0.1",
    port,
    username,
    password,
    clientId: `image-probe-${process.pid}`,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
  try {
    return await new Promise<boolean | string>((resolve) => {
      client.once("connect", () => resolve(true));
      client.once("error", (error) => resolve(error.message));
      client.once("close", () => resolve("closed before CONNACK"));
    });
  } finally {
    await client.endAsync(true);
  }
}
