import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import { makeTestPki } from "../../../gateway/test/support/test-pki.js";
import { startTestBroker, type TestBroker } from "../support/test-broker.js";

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe("the broker's limits", () => {
  it("refuses connections past MAX_CONNECTIONS", async () => {
    broker = await startTestBroker([{ name: "dashboard", role: "dashboard" }], { MAX_CONNECTIONS: "2" });
    await broker.connect("dashboard");
    await broker.connect("dashboard", { clientId: "second" });
    // The third TCP connection is closed at once, before any MQTT is spoken.
    const port = broker.running.listening.mqttPort;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("close", () => resolve());
      socket.once("error", () => resolve());
      setTimeout(() => reject(new Error("the third connection stayed open")), 5000).unref();
    });
    expect(broker.logs()).toMatch(/refused a connection: already 2 \(MAX_CONNECTIONS\)/);
  });

  it("closes a connection whose packet is over MAX_PACKET_SIZE, before reading it", async () => {
    broker = await startTestBroker([{ name: "sensor042", role: "sensor", store: "store042" }], {
      MAX_PACKET_SIZE: "1kb",
    });
    const sensor = await broker.connect("sensor042");
    await sensor.publishAsync("store/store042/small", Buffer.alloc(500), { qos: 1 });
    const closed = new Promise<void>((resolve) => sensor.once("close", () => resolve()));
    sensor.publish("store/store042/big", Buffer.alloc(4096), { qos: 1 });
    await closed;
    expect(broker.logs()).toMatch(/over the 1024-byte limit \(MAX_PACKET_SIZE\)/);
  });

  it("refuses a client id longer than MAX_CLIENT_ID_LENGTH", async () => {
    broker = await startTestBroker([{ name: "dashboard", role: "dashboard" }], { MAX_CLIENT_ID_LENGTH: "8" });
    await expect(broker.connect("dashboard", { clientId: "much-too-long-id" })).rejects.toThrow(
      /Identifier rejected|rejected/i,
    );
  });

  it("keeps other clients' latency bounded while one client floods", async () => {
    broker = await startTestBroker(
      [
        { name: "flooder", role: "sensor", store: "store001" },
        { name: "sensor042", role: "sensor", store: "store042" },
        { name: "connector", role: "connector" },
      ],
      { MAX_PUBLISH_RATE: "200" },
    );
    const probe = await broker.connect("sensor042");
    const listener = await broker.connect("connector");
    await listener.subscribeAsync("store/store042/ping", { qos: 1 });
    const latencies = async (count: number) => {
      const times: number[] = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        const arrived = new Promise<void>((resolve) => listener.once("message", () => resolve()));
        await probe.publishAsync("store/store042/ping", String(i), { qos: 1 });
        await arrived;
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b);
    };
    const quiet = await latencies(30);
    const flooder = await broker.connect("flooder");
    let flooding = true;
    const flood = (async () => {
      const payload = Buffer.alloc(200);
      while (flooding) {
        for (let i = 0; i < 200; i++) flooder.publish("store/store001/flood", payload, { qos: 0 });
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const loaded = await latencies(30);
    flooding = false;
    await flood;
    const p95 = (times: number[]) => times[Math.floor(times.length * 0.95)] ?? Number.NaN;
    console.log(
      `flood: other client's p95 ${p95(quiet).toFixed(1)} ms quiet, ${p95(loaded).toFixed(1)} ms while flooded`,
    );
    // Bounded: the flooder waits for its own tokens, so the probe's messages are not stuck behind its backlog.
    expect(p95(loaded)).toBeLessThan(Math.max(250, p95(quiet) * 20));
  });
});

describe("the TLS listener", () => {
  it("accepts MQTT over TLS with a test CA", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "edge-broker-tls-"));
    const pki = makeTestPki(dir);
    try {
      broker = await startTestBroker([{ name: "dashboard", role: "dashboard" }], {
        TLS_CERT_FILE: pki.serverCertFile,
        TLS_KEY_FILE: pki.serverKeyFile,
        MQTTS_PORT: "0",
      });
      const port = broker.running.listening.mqttsPort;
      expect(port).toBeGreaterThan(0);
      const client: MqttClient = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
        username: "dashboard",
        password: broker.passwords.dashboard ?? "",
        ca: pki.ca,
        reconnectPeriod: 0,
      });
      expect(client.connected).toBe(true);
      await client.endAsync();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
