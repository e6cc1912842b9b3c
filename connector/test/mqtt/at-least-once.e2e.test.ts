import type { MqttClient } from "mqtt";
import { afterAll, expect, it } from "vitest";
import { type Mosquitto, mosquittoAvailable, startMosquitto } from "../../../gateway/test/support/mosquitto.js";
import { type ConnectorProcess, startConnector } from "../support/connector-process.js";
import { type FakeGateway, startFakeGateway } from "../support/fake-gateway.js";
import { client, connectorEnv, removeTempDirs, tempDir, until } from "./helpers.js";

const TOPICS = 20;
const PER_TOPIC = 100;
let broker: Mosquitto | undefined;
let gateway: FakeGateway | undefined;
let publisher: MqttClient | undefined;
const connectors: ConnectorProcess[] = [];

afterAll(async () => {
  await publisher?.endAsync();
  for (const connector of connectors) connector.child.kill("SIGKILL");
  await gateway?.close();
  await broker?.stop();
  await removeTempDirs();
});

it.runIf(mosquittoAvailable() || process.env.CI === "true")(
  "delivers 2,000 QoS 1 messages over 20 topics at least once and in order per topic, through two SIGKILLs",
  async () => {
    broker = await startMosquitto();
    gateway = await startFakeGateway([{ name: "sink", annotations: { topic: "load/+" } }]);
    // Slow enough that a backlog builds up, so the kills land while messages are stored and in flight.
    gateway.answer = async () => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return { status: 200 };
    };
    const dataDir = await tempDir();
    const env = connectorEnv(gateway.url, broker.url, dataDir, { client_id: "at-least-once", max_inflight: "8" });
    const start = async () => {
      const connector = await startConnector("mqtt", env);
      connectors.push(connector);
      await connector.waitReady();
      return connector;
    };
    let connector = await start();
    publisher = await client(broker.url, { protocolVersion: 5 });

    const sent = async (from: number, to: number) => {
      const publishes: Promise<unknown>[] = [];
      for (let seq = from; seq < to; seq++) {
        for (let t = 0; t < TOPICS; t++)
          publishes.push(publisher?.publishAsync(`load/t${t}`, `${t}:${seq}`, { qos: 1 }) as Promise<unknown>);
      }
      await Promise.all(publishes);
    };
    const firstThird = Math.floor(PER_TOPIC / 3);
    await sent(0, firstThird);
    await until("some invocations", () => (gateway?.invocations.length ?? 0) > 50);
    connector.child.kill("SIGKILL");
    await connector.exited;
    await sent(firstThird, 2 * firstThird); // published while the connector is down: the broker keeps them
    connector = await start();
    await until("more invocations", () => (gateway?.invocations.length ?? 0) > 900);
    connector.child.kill("SIGKILL");
    await connector.exited;
    await sent(2 * firstThird, PER_TOPIC);
    connector = await start();

    const firstSeen = new Map<string, number>();
    const distinct = () => {
      for (const call of gateway?.invocations ?? [])
        firstSeen.set(call.body.toString(), firstSeen.get(call.body.toString()) ?? call.at);
      return firstSeen.size;
    };
    await until(`all ${TOPICS * PER_TOPIC} messages`, () => distinct() === TOPICS * PER_TOPIC, 60_000);

    // Per topic, the order in which messages were first delivered is the order they were published.
    const order = new Map<number, number[]>();
    const seen = new Set<string>();
    for (const call of gateway.invocations) {
      const body = call.body.toString();
      if (seen.has(body)) continue;
      seen.add(body);
      const [t, seq] = body.split(":").map(Number) as [number, number];
      order.set(t, [...(order.get(t) ?? []), seq]);
    }
    for (let t = 0; t < TOPICS; t++) {
      expect(order.get(t), `topic t${t}`).toEqual(Array.from({ length: PER_TOPIC }, (_, i) => i));
    }
    console.log(
      `at-least-once: ${gateway.invocations.length} invocations for ${TOPICS * PER_TOPIC} messages ` +
        `(${gateway.invocations.length - TOPICS * PER_TOPIC} redelivered after the kills)`,
    );
    expect(await connector.stop()).toBe(0);
  },
  120_000,
);
