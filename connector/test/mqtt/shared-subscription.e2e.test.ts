import type { MqttClient } from "mqtt";
import { afterAll, expect, it } from "vitest";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../../../gateway/test/support/mosquitto.js";
import { type ConnectorProcess, startConnector } from "../support/connector-process.js";
import { type FakeGateway, startFakeGateway } from "../support/fake-gateway.js";
import { client, connectorEnv, removeTempDirs, tempDir, until } from "./helpers.js";

let broker: Mosquitto | undefined;
let gateway: FakeGateway | undefined;
let publisher: MqttClient | undefined;
const connectors: ConnectorProcess[] = [];

afterAll(async () => {
  await publisher?.endAsync();
  for (const connector of connectors) await connector.stop();
  await gateway?.close();
  await broker?.stop();
  await removeTempDirs();
});

it.runIf(mosquittoAvailable() || process.env.CI === "true")(
  "splits the messages between two replicas with share_group, each message invoked once",
  async () => {
    broker = await startMosquitto();
    gateway = await startFakeGateway([{ name: "fridge", annotations: { topic: "store/+/fridge/+/temp" } }]);
    for (const replica of ["a", "b"]) {
      const env = connectorEnv(gateway.url, broker.url, await tempDir(), {
        share_group: "connectors",
        client_id: `shared-${replica}`,
      });
      const connector = await startConnector("mqtt", env);
      connectors.push(connector);
      await connector.waitReady();
      // The log line travels through a pipe: wait for it rather than expect it at the same moment.
      await until("the shared subscription", () =>
        /subscribed to \$share\/connectors\/store\/\+\/fridge\/\+\/temp/.test(connector.output()),
      );
    }
    publisher = await client(broker.url, { protocolVersion: 5 });
    for (let i = 0; i < 200; i++) await publisher.publishAsync(`store/s${i % 4}/fridge/f1/temp`, String(i), { qos: 1 });
    await until("200 invocations", () => gateway?.invocations.length === 200, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bodies = gateway.invocations.map((call) => call.body.toString());
    expect(new Set(bodies).size).toBe(200);
    expect(bodies).toHaveLength(200); // none twice: the broker gave each message to one replica
    const perReplica = await Promise.all(
      connectors.map(async (connector) => {
        const metrics = await (await fetch(connector.healthUrl.replace("/healthz", "/metrics"))).text();
        return Number(/^mqtt_connector_messages_received_total (\d+)$/m.exec(metrics)?.[1] ?? 0);
      }),
    );
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.min(...perReplica)).toBeGreaterThan(0);
  },
  60_000,
);
