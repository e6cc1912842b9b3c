import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AedesBroker, startAedes } from "../support/aedes-broker.js";
import { type ConnectorProcess, startConnector } from "../support/connector-process.js";
import { type FakeGateway, startFakeGateway } from "../support/fake-gateway.js";
import { client, connectorEnv, removeTempDirs, tempDir, until } from "./helpers.js";

describe("mqtt-connector against aedes (MQTT 3.1.1 only)", () => {
  let broker: AedesBroker;
  let gateway: FakeGateway;
  let connector: ConnectorProcess;
  let publisher: MqttClient;
  let listener: MqttClient;

  beforeAll(async () => {
    broker = await startAedes();
    gateway = await startFakeGateway([
      { name: "fridge", annotations: { topic: "store/+/fridge/+/temp" } },
      { name: "strict", annotations: { topic: "strict/#" } },
    ]);
    gateway.answer = (call) => (call.fn === "strict.openfaas-fn" ? { status: 422 } : { status: 200, body: "ok" });
    connector = await startConnector("mqtt", connectorEnv(gateway.url, broker.url, await tempDir()));
    await connector.waitReady();
    publisher = await client(broker.url, { protocolVersion: 4 });
    listener = await client(broker.url, { protocolVersion: 4 });
  }, 30_000);

  afterAll(async () => {
    await publisher?.endAsync();
    await listener?.endAsync();
    await connector?.stop();
    await gateway?.close();
    await broker?.close();
    await removeTempDirs();
  });

  it("falls back to MQTT 3.1.1 when the broker refuses MQTT 5, and works", async () => {
    expect(connector.output()).toMatch(/does not speak MQTT 5; using MQTT 3\.1\.1/);
    await publisher.publishAsync("store/s1/fridge/f1/temp", "4.5", { qos: 1 });
    await until("the invocation", () => gateway.invocations.length === 1);
    expect(gateway.invocations[0]?.fn).toBe("fridge.openfaas-fn");
  });

  it("sends dead letters as a JSON envelope, since 3.1.1 has no user properties, and never feeds them back", async () => {
    const letters: Array<{ topic: string; body: Record<string, unknown> }> = [];
    listener.on("message", (topic, payload) =>
      letters.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }),
    );
    await listener.subscribeAsync("strict/+/dlq", { qos: 1 });
    const before = gateway.invocations.length;
    await publisher.publishAsync("strict/x", Buffer.from([0xde, 0xad]), { qos: 1 });
    await until("the dead letter", () => letters.length === 1);
    expect(letters[0]).toEqual({
      topic: "strict/x/dlq",
      body: {
        topic: "strict/x",
        function: "strict.openfaas-fn",
        status: 422,
        attempts: 1,
        payload: "3q0=",
        encoding: "base64",
      },
    });
    // strict/# would match strict/x/dlq: the connector knows its dead-letter topics and does not invoke on them.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(gateway.invocations.length - before).toBe(1);
  });
});
