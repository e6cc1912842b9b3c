import { execFileSync } from "node:child_process";
import { chmod, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../../../gateway/test/support/mosquitto.js";
import { makeTestPki } from "../../../gateway/test/support/test-pki.js";
import { type ConnectorProcess, startConnector } from "../support/connector-process.js";
import { type FakeGateway, startFakeGateway } from "../support/fake-gateway.js";
import { client, connectorEnv, removeTempDirs, tempDir, until } from "./helpers.js";

const run = mosquittoAvailable() || process.env.CI === "true";
let broker: Mosquitto | undefined;
let gateway: FakeGateway | undefined;
let connector: ConnectorProcess | undefined;
let publisher: MqttClient | undefined;

afterEach(async () => {
  await publisher?.endAsync();
  await connector?.stop();
  await gateway?.close();
  await broker?.stop();
  publisher = undefined;
  connector = undefined;
  gateway = undefined;
  broker = undefined;
});
afterAll(() => removeTempDirs());

describe.runIf(run)("mqtt-connector when things go wrong", () => {
  it("loses nothing while a function answers 503 for its first seconds (scaling from zero)", async () => {
    broker = await startMosquitto();
    gateway = await startFakeGateway([{ name: "cold", annotations: { topic: "cold/+" } }]);
    // Cold for 1.5 s from the first call, however long the connector took to start on a loaded machine.
    let warmAt = Number.POSITIVE_INFINITY;
    gateway.answer = () => {
      if (warmAt === Number.POSITIVE_INFINITY) warmAt = Date.now() + 1500;
      return Date.now() < warmAt ? { status: 503 } : { status: 200 };
    };
    connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url, await tempDir(), { max_attempts: "30" }),
    );
    await connector.waitReady();
    publisher = await client(broker.url);
    for (let i = 0; i < 20; i++) await publisher.publishAsync(`cold/${i % 4}`, String(i), { qos: 1 });
    const ok = () =>
      new Set(gateway?.invocations.filter((call) => call.at >= warmAt).map((call) => call.body.toString())).size;
    await until("every message answered 200", () => ok() === 20, 20_000);
    const metrics = await (await fetch(connector.healthUrl.replace("/healthz", "/metrics"))).text();
    expect(metrics).toMatch(
      /^mqtt_connector_retries_total\{function_name="cold\.openfaas-fn",status="503"\} [1-9]\d*$/m,
    );
    expect(metrics).not.toMatch(/^mqtt_connector_dead_lettered_total\{/m);
  });

  it("reconnects after the broker restarts and resubscribes", async () => {
    broker = await startMosquitto();
    const port = broker.port;
    gateway = await startFakeGateway([{ name: "fridge", annotations: { topic: "store/+/fridge/+/temp" } }]);
    connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url, await tempDir(), { reconnect_max: "500ms" }),
    );
    await connector.waitReady();
    await broker.stop(); // no persistence: the restarted broker has forgotten the session and its subscriptions
    await until("health to notice", () => /lost the broker/.test(connector?.output() ?? ""), 10_000);
    expect((await fetch(connector.healthUrl)).status).toBe(503);
    broker = await startMosquitto({ port });
    await connector.waitReady(20_000);
    publisher = await client(broker.url);
    await publisher.publishAsync("store/s/fridge/f/temp", "3.9", { qos: 1 });
    await until("the invocation after the restart", () => gateway?.invocations.length === 1, 10_000);
  });

  it("stops with a clear error when the broker refuses its credentials", async () => {
    const dir = await tempDir();
    const passwords = path.join(dir, "passwords");
    await writeFile(passwords, "");
    execFileSync("mosquitto_passwd", ["-b", passwords, "connector", "right-password"]);
    await readableByTheBroker(dir);
    broker = await startMosquitto({ allowAnonymous: false, config: [`password_file ${passwords}`] });
    gateway = await startFakeGateway([{ name: "fridge", annotations: { topic: "a/b" } }]);
    const passwordFile = path.join(dir, "mqtt-password");
    await writeFile(passwordFile, "wrong-password\n");
    connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url, dir, { mqtt_username: "connector", mqtt_password_file: passwordFile }),
    );
    expect(await connector.exited).toBe(1);
    expect(connector.output()).toMatch(
      /refused the connection: .*(Not authorized|Bad User Name or Password).*\(check mqtt_username and mqtt_password_file\)/,
    );
    expect(connector.output()).not.toContain("wrong-password");

    await writeFile(passwordFile, "right-password\n");
    connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url, dir, { mqtt_username: "connector", mqtt_password_file: passwordFile }),
    );
    await connector.waitReady();
  });

  it("connects over TLS with a test CA and a client certificate", async () => {
    const dir = await tempDir();
    const pki = makeTestPki(dir, "mqtt-connector");
    await readableByTheBroker(dir);
    // These lines follow the helper's `listener` line, so they make that listener TLS-only.
    broker = await startMosquitto({
      config: [
        `cafile ${pki.caFile}`,
        `certfile ${pki.serverCertFile}`,
        `keyfile ${pki.serverKeyFile}`,
        "require_certificate true",
      ],
    });
    gateway = await startFakeGateway([{ name: "fridge", annotations: { topic: "tls/+" } }]);
    connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url.replace("mqtt://", "mqtts://"), dir, {
        tls_ca_file: pki.caFile,
        tls_cert_file: pki.clientCertFile,
        tls_key_file: pki.clientKeyFile,
      }),
    );
    await connector.waitReady();
    publisher = await client(broker.url.replace("mqtt://", "mqtts://"), {
      ca: pki.ca,
      cert: pki.clientCert,
      key: pki.clientKey,
    });
    await publisher.publishAsync("tls/one", "secure", { qos: 1 });
    await until("the invocation over TLS", () => gateway?.invocations.length === 1);
  });
});

/** Mosquitto started as root drops to the `mosquitto` user: it must be able to read the test's files. */
async function readableByTheBroker(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const name of await readdir(dir)) await chmod(path.join(dir, name), 0o644);
}
