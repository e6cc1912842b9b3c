import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { startBridge } from "../../src/bridge/bridge.js";
import { openOutbox } from "../../src/bridge/outbox.js";
import {
  bridgeRig,
  connectClient,
  firstArrivals,
  freePort,
  publishSequence,
  range,
  recordingLogger,
  STORE_ID,
  startCentral,
  startLocalBroker,
  tearDownRig,
  tempDir,
  waitFor,
  watchCentral,
} from "./helpers.js";

const TOTAL = 5000;
const OUTAGE_MS = 10_000;
const PAYLOAD_BYTES = 64;

const rig = bridgeRig();
afterEach(() => tearDownRig(rig));

/** Counts PUBACKs from central with the time of each batch, to tell a forwarding rate. */
function forwardingClock() {
  const batches: { at: number; count: number }[] = [];
  return {
    record: (count: number) => batches.push({ at: performance.now(), count }),
    /** Messages acknowledged after `since` (a performance.now() value), and over how long. */
    after(since: number) {
      const later = batches.filter((batch) => batch.at >= since);
      const count = later.reduce((sum, batch) => sum + batch.count, 0);
      const last = later.at(-1)?.at ?? since;
      return { count, ms: last - since };
    },
  };
}

const rate = (count: number, ms: number) => (ms > 0 ? Math.round((count * 1000) / ms) : Number.NaN);

it("a 10 s central outage while 5,000 messages are published locally: all arrive, in order", async () => {
  const centralPort = await freePort();
  const centralDir = await tempDir();
  const watcher = await watchCentral(centralDir, centralPort, `stores/${STORE_ID}/#`);
  rig.clients.push(watcher.client);
  rig.central = await startCentral(centralDir, centralPort);

  const dir = await tempDir();
  const logger = recordingLogger();
  const clock = forwardingClock();
  let disconnects = 0;
  const connects: number[] = [];
  rig.outbox = openOutbox({
    file: path.join(dir, "outbox.db"),
    maxMessages: 100_000,
    maxBytes: 64_000_000,
    policy: "drop-oldest",
  });
  rig.local = await startLocalBroker((packet) => rig.bridge?.capture(packet.topic, packet.payload, packet.qos));
  const broker = rig.local;
  rig.bridge = startBridge({
    outbox: rig.outbox,
    localPublish: (topic, payload, qos) => broker.publish(topic, payload, qos),
    centralUrl: rig.central.url,
    clientId: `edge-bridge-${STORE_ID}`,
    topics: [`store/${STORE_ID}/#`],
    prefix: "stores/{storeId}/",
    localPrefix: "store/{storeId}/",
    storeId: STORE_ID,
    logger,
    events: {
      forwarded: clock.record,
      connected: () => connects.push(performance.now()),
      disconnected: () => disconnects++,
    },
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
  });
  const running = rig.bridge;
  const box = rig.outbox;
  await waitFor("the bridge to connect", () => running.connected, 5000);
  const device = await connectClient(`mqtt://127.0.0.1:${rig.local.port}`, { clientId: "fridge-1" });
  rig.clients.push(device);
  const topic = `store/${STORE_ID}/fridge-1/temp`;

  // Before: central up. The outage starts right after, with some of these still in flight.
  const liveStart = performance.now();
  await publishSequence(device, topic, range(1000), { batch: 50, payloadBytes: PAYLOAD_BYTES });
  await rig.central.stop();
  const stoppedAt = performance.now();
  const liveMs = stoppedAt - liveStart;
  const beforeOutage = clock.after(liveStart).count;

  // During: 3,000 more, spread over most of the outage; none can leave, all wait in the outbox.
  await publishSequence(device, topic, range(3000, 1000), { batch: 50, pauseMs: 120, payloadBytes: PAYLOAD_BYTES });
  expect(running.connected).toBe(false);
  const depthDuringOutage = box.depth();
  expect(depthDuringOutage).toBeGreaterThanOrEqual(3000);
  const outageLeft = OUTAGE_MS - (performance.now() - stoppedAt);
  if (outageLeft > 0) await new Promise((resolve) => setTimeout(resolve, outageLeft));

  // After: central back on the same port; the backlog drains while the last 1,000 are published.
  rig.central = await startCentral(centralDir, centralPort);
  const restartedAt = performance.now();
  await publishSequence(device, topic, range(1000, 4000), { batch: 50, payloadBytes: PAYLOAD_BYTES });
  await waitFor("all 5,000 at central", () => watcher.received.distinct.size >= TOTAL, 25_000);
  await waitFor("an empty outbox", () => box.depth() === 0, 5000);

  expect(firstArrivals(watcher.received.arrivals)).toEqual(range(TOTAL));
  expect(disconnects).toBeGreaterThanOrEqual(1);
  // From the reconnection (the bridge's backoff is not forwarding time).
  const reconnectedAt = connects.find((at) => at >= restartedAt) ?? restartedAt;
  const drained = clock.after(reconnectedAt);
  const duplicates = watcher.received.arrivals.length - TOTAL;
  console.log(
    `[bridge outage] ${beforeOutage} forwarded live in ${Math.round(liveMs)} ms while publishing; ` +
      `outbox depth ${depthDuringOutage} during the ${OUTAGE_MS / 1000} s outage; reconnected ` +
      `${Math.round(reconnectedAt - restartedAt)} ms after the restart, then ${drained.count} forwarded in ${Math.round(drained.ms)} ms = ${rate(drained.count, drained.ms)} messages/s; ` +
      `${duplicates} duplicate(s) at central (at least once)`,
  );
}, 60_000);

it("drains a 20,000-message backlog in order (forwarding rate)", async () => {
  const count = 20_000;
  const centralPort = await freePort();
  const centralDir = await tempDir();
  const watcher = await watchCentral(centralDir, centralPort, "#");
  rig.clients.push(watcher.client);
  rig.central = await startCentral(centralDir, centralPort);

  const dir = await tempDir();
  rig.outbox = openOutbox({
    file: path.join(dir, "outbox.db"),
    maxMessages: 100_000,
    maxBytes: 64_000_000,
    policy: "drop-oldest",
  });
  const padding = "x".repeat(PAYLOAD_BYTES);
  const storeStart = performance.now();
  for (const seq of range(count))
    rig.outbox.add(`store/${STORE_ID}/fridge-1/temp`, Buffer.from(`${seq}:${padding}`), 1);
  const storeMs = performance.now() - storeStart;
  const box = rig.outbox;
  const clock = forwardingClock();
  let connectedAt = 0;
  rig.bridge = startBridge({
    outbox: rig.outbox,
    localPublish: async () => {},
    centralUrl: rig.central.url,
    clientId: `edge-bridge-${STORE_ID}`,
    topics: [`store/${STORE_ID}/#`],
    storeId: STORE_ID,
    logger: recordingLogger(),
    events: { forwarded: clock.record, connected: () => (connectedAt ||= performance.now()) },
  });
  await waitFor("the backlog at central", () => watcher.received.distinct.size >= count, 15_000);
  await waitFor("an empty outbox", () => box.depth() === 0, 5000);

  expect(firstArrivals(watcher.received.arrivals)).toEqual(range(count));
  const forwarded = clock.after(connectedAt);
  console.log(
    `[bridge backlog] stored ${count} in ${Math.round(storeMs)} ms = ${rate(count, storeMs)} adds/s; ` +
      `forwarded ${forwarded.count} in ${Math.round(forwarded.ms)} ms = ${rate(forwarded.count, forwarded.ms)} messages/s ` +
      `(window 64, QoS 1, ${PAYLOAD_BYTES + 6}-byte payloads, Mosquitto on 127.0.0.1)`,
  );
}, 30_000);
