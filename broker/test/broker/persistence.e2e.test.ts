import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { afterAll, expect, it } from "vitest";
import { freePort } from "../../../gateway/src/runtime/port.js";
import { openUsersFile } from "../../src/users/users-file.js";

const BIN = fileURLToPath(new URL("../../bin/edge-broker.js", import.meta.url));
const children: ChildProcess[] = [];
let dataDir: string | undefined;

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** edge-broker as its own process, so it can be killed with SIGKILL. */
async function startBroker(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN], {
    env: {
      PATH: process.env.PATH ?? "",
      MQTT_PORT: String(port),
      BROKER_HOST: "127.0.0.1",
      WS_PORT: "off",
      HEALTH_PORT: "off",
      DATA_DIR: dir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!/"msg":"listening"/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the broker did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

it("keeps a persistent session's 1,000 queued QoS 1 messages through a SIGKILL of the broker", async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "edge-broker-persist-"));
  const users = openUsersFile(path.join(dataDir, "users.json"));
  const subscriberPassword = await users.add("connector", "connector");
  const sensorPassword = await users.add("sensor042", "sensor", "store042");
  const port = await freePort();
  let broker = await startBroker(port, dataDir);
  const url = `mqtt://127.0.0.1:${port}`;
  const subscriberOptions = {
    clientId: "persistent-sub",
    clean: false,
    username: "connector",
    password: subscriberPassword,
    reconnectPeriod: 0,
  };

  const first = await mqtt.connectAsync(url, subscriberOptions);
  await first.subscribeAsync("store/store042/#", { qos: 1 });
  await first.endAsync(); // offline: the broker queues for the session from now on

  const t0 = performance.now();
  const sensor = await mqtt.connectAsync(url, { username: "sensor042", password: sensorPassword, reconnectPeriod: 0 });
  for (let i = 0; i < 1000; i++) await sensor.publishAsync(`store/store042/seq/${i % 10}`, String(i), { qos: 1 });
  await sensor.endAsync();

  const t1 = performance.now();
  broker.kill("SIGKILL");
  await new Promise((resolve) => broker.once("exit", resolve));
  broker = await startBroker(port, dataDir);

  const received = new Set<string>();
  const second = mqtt.connect(url, subscriberOptions);
  second.on("message", (_topic, payload) => received.add(payload.toString()));
  const deadline = Date.now() + 30_000;
  while (received.size < 1000 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await second.endAsync();
  console.log(
    `persistence: 1000 published in ${(t1 - t0).toFixed(0)} ms; received after restart in ${(performance.now() - t1).toFixed(0)} ms`,
  );
  expect(received.size).toBe(1000);
}, 90_000);
