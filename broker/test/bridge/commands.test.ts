import path from "node:path";
import type { MqttClient } from "mqtt";
import { afterEach, expect, it } from "vitest";
import { startBridge } from "../../src/bridge/bridge.js";
import { openOutbox } from "../../src/bridge/outbox.js";
import {
  bridgeRig,
  connectClient,
  recordingLogger,
  STORE_ID,
  startCentral,
  startLocalBroker,
  tearDownRig,
  tempDir,
  waitFor,
} from "./helpers.js";

const WAIT_MS = 8000;
const PASSWORD = "bridge-password-never-logged";
const SECRET_PAYLOAD = "payload-never-logged";

const rig = bridgeRig();
afterEach(() => tearDownRig(rig));

interface Received {
  readonly topic: string;
  readonly payload: string;
}

function collect(client: MqttClient): Received[] {
  const received: Received[] = [];
  client.on("message", (topic, payload) => received.push({ topic, payload: payload.toString() }));
  return received;
}

it("sends local topics under the store's central prefix and relays commands back under their local topic, once", async () => {
  const dir = await tempDir();
  rig.central = await startCentral(dir);
  const logger = recordingLogger();
  rig.outbox = openOutbox({
    file: path.join(dir, "outbox.db"),
    maxMessages: 1000,
    maxBytes: 1_000_000,
    policy: "drop-oldest",
  });
  const relayed: string[] = [];
  // Every publish is captured, the broker's own too (which is how the bridge injects commands): if the bridge's
  // loop guard failed, the injected command would go back out and show up at the central subscriber.
  rig.local = await startLocalBroker((packet) => rig.bridge?.capture(packet.topic, packet.payload, packet.qos), true);
  const broker = rig.local;
  const centralUrl = rig.central.url.replace("mqtt://", `mqtt://edge:${PASSWORD}@`);
  rig.bridge = startBridge({
    outbox: rig.outbox,
    localPublish: (topic, payload, qos) => broker.publish(topic, payload, qos),
    centralUrl,
    clientId: `edge-bridge-${STORE_ID}`,
    topics: [`store/${STORE_ID}/#`],
    commandFilter: `stores/${STORE_ID}/cmd/#`,
    prefix: "stores/{storeId}/",
    localPrefix: "store/{storeId}/",
    storeId: STORE_ID,
    logger,
    events: { commandRelayed: (topic) => relayed.push(topic) },
    reconnectMinMs: 100,
    reconnectMaxMs: 500,
  });
  const running = rig.bridge;

  const centralWatcher = await connectClient(rig.central.url, { clientId: "central-watcher" });
  rig.clients.push(centralWatcher);
  const atCentral = collect(centralWatcher);
  await centralWatcher.subscribeAsync("stores/#", { qos: 1 });
  const localUrl = `mqtt://127.0.0.1:${rig.local.port}`;
  const localDevice = await connectClient(localUrl, { clientId: "fridge-1" });
  rig.clients.push(localDevice);
  const atDevice = collect(localDevice);
  await localDevice.subscribeAsync(`store/${STORE_ID}/cmd/#`, { qos: 1 });
  await waitFor("the bridge to connect", () => running.connected, WAIT_MS);

  // Out: the local root swapped for the central one.
  await localDevice.publishAsync(`store/${STORE_ID}/fridge-1/temp`, `3.9 ${SECRET_PAYLOAD}`, { qos: 1 });
  await waitFor("the reading at central", () => atCentral.length >= 1, WAIT_MS);
  expect(atCentral[0]).toEqual({ topic: `stores/${STORE_ID}/fridge-1/temp`, payload: `3.9 ${SECRET_PAYLOAD}` });

  // In: the command published at central reaches the local subscriber under the local topic.
  const office = await connectClient(rig.central.url, { clientId: "head-office" });
  rig.clients.push(office);
  await office.publishAsync(`stores/${STORE_ID}/cmd/fridge-1/setpoint`, "4.5", { qos: 1 });
  await waitFor("the command at the device", () => atDevice.length >= 1, WAIT_MS);
  expect(atDevice[0]).toEqual({ topic: `store/${STORE_ID}/cmd/fridge-1/setpoint`, payload: "4.5" });
  expect(relayed).toEqual([`store/${STORE_ID}/cmd/fridge-1/setpoint`]);

  // A device publishing into the command space is not relayed out either.
  await localDevice.publishAsync(`store/${STORE_ID}/cmd/fridge-1/setpoint`, "99", { qos: 1 });
  // A marker after both: once it is at central, anything the bridge would have echoed would be there before it.
  await localDevice.publishAsync(`store/${STORE_ID}/fridge-1/temp`, "marker", { qos: 1 });
  await waitFor("the marker at central", () => atCentral.some((m) => m.payload === "marker"), WAIT_MS);

  const commandsAtCentral = atCentral.filter((m) => m.topic.startsWith(`stores/${STORE_ID}/cmd/`));
  expect(commandsAtCentral).toEqual([{ topic: `stores/${STORE_ID}/cmd/fridge-1/setpoint`, payload: "4.5" }]);
  expect(atCentral.map((m) => m.topic)).toEqual([
    `stores/${STORE_ID}/fridge-1/temp`,
    `stores/${STORE_ID}/cmd/fridge-1/setpoint`,
    `stores/${STORE_ID}/fridge-1/temp`,
  ]);
  // The device got the relayed command, then its own "99" (a local publish it is subscribed to): nothing twice.
  expect(atDevice.map((m) => m.payload)).toEqual(["4.5", "99"]);
  expect(relayed).toHaveLength(1);
  expect(rig.outbox.depth()).toBe(0);

  await rig.bridge.stop();
  const logs = logger.text();
  expect(logs).toContain("connected to central");
  expect(logs).not.toContain(PASSWORD);
  expect(logs).not.toContain(SECRET_PAYLOAD);
});

it("refuses a central URL with an unsupported scheme and invalid filters, naming the option", async () => {
  const dir = await tempDir();
  rig.outbox = openOutbox({
    file: path.join(dir, "outbox.db"),
    maxMessages: 10,
    maxBytes: 10_000,
    policy: "drop-oldest",
  });
  const base = {
    outbox: rig.outbox,
    localPublish: async () => {},
    centralUrl: "mqtt://127.0.0.1:1",
    clientId: "edge-bridge-x",
    topics: ["store/#"],
    storeId: STORE_ID,
    logger: recordingLogger(),
  };
  expect(() => startBridge({ ...base, centralUrl: "http://central:1883" })).toThrow(/centralUrl/);
  expect(() => startBridge({ ...base, topics: ["store/#/x"] })).toThrow(/topic filter/);
  expect(() => startBridge({ ...base, commandFilter: "stores/+x/cmd" })).toThrow(/commandFilter/);
  expect(() => startBridge({ ...base, window: 0 })).toThrow(/window/);
});
