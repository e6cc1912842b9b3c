import type { MqttClient } from "mqtt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../../../gateway/test/support/mosquitto.js";
import { type ConnectorProcess, startConnector } from "../support/connector-process.js";
import { type FakeGateway, startFakeGateway } from "../support/fake-gateway.js";
import { client, connectorEnv, removeTempDirs, tempDir, until } from "./helpers.js";

const available = mosquittoAvailable();
it("has the Mosquitto binary these tests need (required under CI=true)", () => {
  if (process.env.CI === "true") expect(available).toBe(true);
  else if (!available) console.warn("*** SKIPPED: mqtt-connector against Mosquitto: no mosquitto binary ***");
});

describe.runIf(available)("mqtt-connector against Mosquitto (MQTT 5)", () => {
  let broker: Mosquitto;
  let gateway: FakeGateway;
  let connector: ConnectorProcess;
  let publisher: MqttClient;
  const extra: MqttClient[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    gateway = await startFakeGateway([
      { name: "fridge", annotations: { topic: "store/+/fridge/+/temp" } },
      { name: "echo", annotations: { topic: "echo/#", "response-topic": "{topic}/answer" } },
      { name: "strict", annotations: { topic: "strict/+" } },
    ]);
    gateway.answer = (call) => {
      if (call.fn === "strict.openfaas-fn") return { status: 400, body: "bad reading" };
      if (call.fn === "echo.openfaas-fn")
        return { status: 200, body: `echo:${call.body.toString()}`, headers: { "content-type": "text/plain" } };
      return { status: 200, body: "ok" };
    };
    connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url, await tempDir(), { mqtt_protocol: "auto" }),
    );
    await connector.waitReady();
    publisher = await client(broker.url, { protocolVersion: 5 });
  }, 30_000);

  afterEach(() => {
    gateway.invocations.length = 0;
  });

  afterAll(async () => {
    for (const c of [publisher, ...extra]) await c?.endAsync();
    await connector?.stop();
    await gateway?.close();
    await broker?.stop();
    await removeTempDirs();
  });

  it("speaks MQTT 5 with Mosquitto and invokes the function whose filter matches, with X-Topic and X-Connector", async () => {
    expect(connector.output()).toMatch(/MQTT 5/);
    await publisher.publishAsync("store/store042/fridge/f1/temp", '{"temp":4.2}', { qos: 1 });
    await until("the invocation", () => gateway.invocations.length === 1);
    const [call] = gateway.invocations;
    expect(call?.path).toBe("/function/fridge.openfaas-fn");
    expect(call?.headers["x-topic"]).toBe("store/store042/fridge/f1/temp");
    expect(call?.headers["x-connector"]).toBe("mqtt-connector");
    expect(call?.headers["content-type"]).toBe("application/json");
    expect(call?.body.toString()).toBe('{"temp":4.2}');
  });

  it("turns traceparent/tracestate user properties into HTTP headers", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    await publisher.publishAsync("store/s1/fridge/f2/temp", "5", {
      qos: 1,
      properties: { userProperties: { traceparent, tracestate: "vendor=1" } },
    });
    await until("the invocation", () => gateway.invocations.length === 1);
    expect(gateway.invocations[0]?.headers.traceparent).toBe(traceparent);
    expect(gateway.invocations[0]?.headers.tracestate).toBe("vendor=1");
  });

  it("publishes the answer to the message's response topic with its correlation data", async () => {
    const listener = await client(broker.url, { protocolVersion: 5 });
    extra.push(listener);
    const answers: Array<{ payload: string; correlation?: string }> = [];
    listener.on("message", (_topic, payload, packet) =>
      answers.push({ payload: payload.toString(), correlation: packet.properties?.correlationData?.toString() }),
    );
    await listener.subscribeAsync("replies/me", { qos: 1 });
    await publisher.publishAsync("echo/hello", "hi", {
      qos: 1,
      properties: { responseTopic: "replies/me", correlationData: Buffer.from("req-7") },
    });
    await until("the response", () => answers.length === 1);
    expect(answers[0]).toEqual({ payload: "echo:hi", correlation: "req-7" });
  });

  it("publishes the answer to the function's response-topic annotation when the message has none", async () => {
    const listener = await client(broker.url, { protocolVersion: 5 });
    extra.push(listener);
    const answers: string[] = [];
    listener.on("message", (topic, payload) => answers.push(`${topic}=${payload.toString()}`));
    await listener.subscribeAsync("echo/+/answer", { qos: 1 });
    await publisher.publishAsync("echo/x", "yo", { qos: 1 });
    await until("the response", () => answers.length === 1);
    expect(answers).toEqual(["echo/x/answer=echo:yo"]);
  });

  it("sends a 400 to the dead-letter topic with the reason in user properties, and does not retry it", async () => {
    const listener = await client(broker.url, { protocolVersion: 5 });
    extra.push(listener);
    const letters: Array<{ topic: string; payload: string; props: Record<string, unknown> }> = [];
    listener.on("message", (topic, payload, packet) =>
      letters.push({ topic, payload: payload.toString(), props: packet.properties?.userProperties ?? {} }),
    );
    await listener.subscribeAsync("strict/+/dlq", { qos: 1 });
    await publisher.publishAsync("strict/a", "garbage{", { qos: 1 });
    await until("the dead letter", () => letters.length === 1);
    expect(letters[0]).toEqual({
      topic: "strict/a/dlq",
      payload: "garbage{",
      props: { "x-topic": "strict/a", "x-function": "strict.openfaas-fn", "x-status": "400", "x-attempts": "1" },
    });
    expect(gateway.invocations).toHaveLength(1);
  });

  it("survives malformed payloads (binary, empty, huge) and keeps serving", async () => {
    await publisher.publishAsync("store/s/fridge/f/temp", Buffer.from([0xff, 0x00, 0xfe]), { qos: 1 });
    await publisher.publishAsync("store/s/fridge/f/temp", Buffer.alloc(0), { qos: 1 });
    await publisher.publishAsync("store/s/fridge/f/temp", Buffer.alloc(512 * 1024, 0x41), { qos: 1 });
    await until("three invocations", () => gateway.invocations.length === 3);
    expect(gateway.invocations.map((call) => call.body.length)).toEqual([3, 0, 512 * 1024]);
    expect((await fetch(connector.healthUrl)).status).toBe(200);
  });

  it("follows functions as they come and go: subscribes to new filters and drops old ones", async () => {
    gateway.setFunctions([
      { name: "fridge", annotations: { topic: "store/+/fridge/+/temp" } },
      { name: "audit", annotations: { topic: "audit/#" } },
    ]);
    await until("the new subscription", () => /subscribed to audit\/#/.test(connector.output()), 5000);
    await publisher.publishAsync("audit/one", "1", { qos: 1 });
    await until("the audit call", () => gateway.invocations.some((call) => call.fn === "audit.openfaas-fn"));
    expect(connector.output()).toMatch(/unsubscribed from .*echo\/#/);
    gateway.invocations.length = 0;
    await publisher.publishAsync("echo/after", "x", { qos: 1 });
    await publisher.publishAsync("audit/two", "2", { qos: 1 });
    await until("the second audit call", () => gateway.invocations.length >= 1);
    expect(gateway.invocations.map((call) => call.fn)).toEqual(["audit.openfaas-fn"]);
  });

  it("serves /metrics with the connector's counters", async () => {
    const text = await (await fetch(connector.healthUrl.replace("/healthz", "/metrics"))).text();
    expect(text).toMatch(/^mqtt_connector_messages_received_total \d+$/m);
    expect(text).toMatch(/^mqtt_connector_dead_lettered_total\{function_name="strict\.openfaas-fn",status="400"\} 1$/m);
    expect(text).toMatch(/^mqtt_connector_connected 1$/m);
  });
});

describe.runIf(available)("mqtt-connector against Mosquitto with mqtt_protocol=3.1.1", () => {
  it("speaks 3.1.1 when told to, and still delivers", async () => {
    const broker = await startMosquitto();
    const gateway = await startFakeGateway([{ name: "fridge", annotations: { topic: "store/+/fridge/+/temp" } }]);
    const connector = await startConnector(
      "mqtt",
      connectorEnv(gateway.url, broker.url, await tempDir(), { mqtt_protocol: "3.1.1" }),
    );
    try {
      await connector.waitReady();
      expect(connector.output()).toMatch(/MQTT 3\.1\.1/);
      const publisher = await client(broker.url, { protocolVersion: 4 });
      await publisher.publishAsync("store/s9/fridge/f9/temp", "4.0", { qos: 1 });
      await publisher.endAsync();
      await until("the invocation", () => gateway.invocations.length === 1);
    } finally {
      await connector.stop();
      await gateway.close();
      await broker.stop();
    }
  });
});
