import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { loadBrokerConfig } from "../../src/config.js";
import { type RunningBroker, runBroker } from "../../src/run-broker.js";
import { openUsersFile } from "../../src/users/users-file.js";

export interface TestUser {
  readonly name: string;
  readonly role: "sensor" | "connector" | "dashboard" | "bridge";
  readonly store?: string;
}

export interface TestBroker {
  readonly running: RunningBroker;
  readonly url: string;
  readonly wsUrl: string;
  readonly dataDir: string;
  /** The generated password of each test user. */
  readonly passwords: Readonly<Record<string, string>>;
  /** Every line the broker logged, joined. */
  logs(): string;
  connect(user: string | undefined, options?: IClientOptions): Promise<MqttClient>;
  stop(): Promise<void>;
}

/** The edge broker in this process on free ports (TCP and WebSocket), with the given users. */
export async function startTestBroker(
  users: readonly TestUser[],
  env: Record<string, string> = {},
): Promise<TestBroker> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "edge-broker-"));
  const config = loadBrokerConfig({
    MQTT_PORT: "0",
    WS_PORT: "0",
    HEALTH_PORT: "0",
    BROKER_HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    ...env,
  });
  const file = openUsersFile(config.usersFile);
  const passwords: Record<string, string> = {};
  for (const user of users) passwords[user.name] = await file.add(user.name, user.role, user.store);
  const lines: string[] = [];
  const record = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${msg} ${fields ? JSON.stringify(fields) : ""}`);
  const running = await runBroker(config, { info: record("info"), warn: record("warn") });
  const url = `mqtt://127.0.0.1:${running.listening.mqttPort}`;
  const clients: MqttClient[] = [];
  return {
    running,
    url,
    wsUrl: `ws://127.0.0.1:${running.listening.wsPort}/mqtt`,
    dataDir,
    passwords,
    logs: () => lines.join("\n"),
    async connect(user, options = {}) {
      const client = await mqtt.connectAsync(url, {
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...(user ? { username: user, password: passwords[user] ?? "" } : {}),
        ...options,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.end(true);
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
