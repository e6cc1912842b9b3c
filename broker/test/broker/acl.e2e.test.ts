import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mosquittoAvailable } from "../../../gateway/test/support/mosquitto.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

const run = promisify(execFile);
let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker([
    { name: "sensor042", role: "sensor", store: "store042" },
    { name: "connector", role: "connector" },
    { name: "dashboard", role: "dashboard" },
  ]);
}, 30_000);

afterAll(() => broker?.stop());

/** Resolves with what `client` receives on `filter` within `ms`. */
async function collect(
  client: MqttClient,
  filter: string,
  ms: number,
  during: () => Promise<unknown>,
): Promise<string[]> {
  const got: string[] = [];
  client.on("message", (topic, payload) => got.push(`${topic}=${payload.toString()}`));
  await client.subscribeAsync(filter, { qos: 1 });
  await during();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return got;
}

describe("users and ACLs over real TCP", () => {
  it("lets a sensor publish under its own store, and the connector receive it", async () => {
    const connector = await broker.connect("connector");
    const sensor = await broker.connect("sensor042");
    const got = await collect(connector, "store/#", 200, () =>
      sensor.publishAsync("store/store042/fridge/f1/temp", "4.1", { qos: 1 }),
    );
    expect(got).toEqual(["store/store042/fridge/f1/temp=4.1"]);
  });

  it("disconnects a sensor publishing into another store, and delivers nothing", async () => {
    const dashboard = await broker.connect("dashboard");
    const sensor = await broker.connect("sensor042");
    const closed = new Promise<void>((resolve) => sensor.once("close", () => resolve()));
    const got = await collect(dashboard, "store/#", 300, async () => {
      sensor.publish("store/store043/fridge/f1/temp", "99", { qos: 1 });
      await closed;
    });
    expect(got).toEqual([]);
    expect(broker.logs()).toMatch(
      /denied a publish to store\/store043\/fridge\/f1\/temp; disconnecting the client .*"username":"sensor042"/,
    );
  });

  it("refuses a sensor's subscription to another store's topics with SUBACK 0x80, and grants its own commands", async () => {
    const sensor = await broker.connect("sensor042");
    // MQTT.js turns a SUBACK return code 0x80 into this error.
    await expect(sensor.subscribeAsync("store/store043/#", { qos: 1 })).rejects.toThrow(/Unspecified error/);
    const granted = await sensor.subscribeAsync("store/store042/cmd/#", { qos: 1 });
    expect(granted.map((grant) => grant.qos)).toEqual([1]);
    expect(broker.logs()).toMatch(/denied a subscription to store\/store043\/#/);
  });

  it("refuses publishing under $SYS/, even for the connector", async () => {
    const connector = await broker.connect("connector");
    const closed = new Promise<void>((resolve) => connector.once("close", () => resolve()));
    connector.publish("$SYS/broker/fake", "x", { qos: 1 });
    await closed;
  });

  it("refuses a wrong password and anonymous clients", async () => {
    await expect(broker.connect("sensor042", { password: "guess" })).rejects.toThrow(
      /Bad username or password|Not authorized/,
    );
    await expect(broker.connect(undefined)).rejects.toThrow(/Not authorized/);
    expect(broker.logs()).toMatch(/wrong username or password/);
  });

  it("never logs a password", () => {
    for (const password of Object.values(broker.passwords)) expect(broker.logs()).not.toContain(password);
    expect(broker.logs()).not.toContain("guess");
  });

  it("serves MQTT over WebSocket at /mqtt", async () => {
    const dashboard = await broker.connect("dashboard");
    const viaWs = await (await import("mqtt")).default.connectAsync(broker.wsUrl, {
      username: "sensor042",
      password: broker.passwords.sensor042,
      reconnectPeriod: 0,
    });
    const got = await collect(dashboard, "store/store042/ws", 200, () =>
      viaWs.publishAsync("store/store042/ws", "over-ws", { qos: 1 }),
    );
    await viaWs.endAsync();
    expect(got).toEqual(["store/store042/ws=over-ws"]);
  });
});

describe.runIf(mosquittoAvailable() || process.env.CI === "true")(
  "with Mosquitto's own clients as independent peers",
  () => {
    it("mosquitto_pub as the sensor reaches mosquitto_sub as the dashboard; another store's topic fails", async () => {
      const port = String(broker.running.listening.mqttPort);
      const sub = run("mosquitto_sub", [
        "-h",
        "127.0.0.1",
        "-p",
        port,
        "-u",
        "dashboard",
        "-P",
        broker.passwords.dashboard ?? "",
        "-t",
        "store/store042/peer",
        "-q",
        "1",
        "-C",
        "1",
        "-W",
        "10",
      ]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await run("mosquitto_pub", [
        "-h",
        "127.0.0.1",
        "-p",
        port,
        "-u",
        "sensor042",
        "-P",
        broker.passwords.sensor042 ?? "",
        "-t",
        "store/store042/peer",
        "-m",
        "from-mosquitto",
        "-q",
        "1",
      ]);
      expect((await sub).stdout.trim()).toBe("from-mosquitto");
      await expect(
        run("mosquitto_pub", [
          "-h",
          "127.0.0.1",
          "-p",
          port,
          "-u",
          "sensor042",
          "-P",
          broker.passwords.sensor042 ?? "",
          "-t",
          "store/store043/peer",
          "-m",
          "x",
          "-q",
          "1",
        ]),
      ).rejects.toThrow();
    });
  },
);
