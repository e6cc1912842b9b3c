import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { startBridge } from "../../src/bridge/bridge.js";
import type { DropCause } from "../../src/bridge/drop-reporter.js";
import { type Outbox, type OutboxPolicy, openOutbox } from "../../src/bridge/outbox.js";
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

const WAIT_MS = 8000;
const CAPACITY = 100;
const PUBLISHED = 150;

const rig = bridgeRig();
afterEach(() => tearDownRig(rig));

/** A bridge to a central broker that is not running yet (on `centralPort`), with a 100-message outbox. */
async function bridgeWithFullOutbox(policy: OutboxPolicy, centralPort: number) {
  const dir = await tempDir();
  const logger = recordingLogger();
  const drops: { count: number; cause: DropCause }[] = [];
  rig.outbox = openOutbox({ file: path.join(dir, "outbox.db"), maxMessages: CAPACITY, maxBytes: 1_000_000, policy });
  rig.local = await startLocalBroker((packet) => rig.bridge?.capture(packet.topic, packet.payload, packet.qos));
  const broker = rig.local;
  rig.bridge = startBridge({
    outbox: rig.outbox,
    localPublish: (topic, payload, qos) => broker.publish(topic, payload, qos),
    centralUrl: `mqtt://127.0.0.1:${centralPort}`,
    clientId: `edge-bridge-${STORE_ID}`,
    topics: [`store/${STORE_ID}/#`],
    storeId: STORE_ID,
    logger,
    events: { dropped: (count, cause) => drops.push({ count, cause }) },
    reconnectMinMs: 100,
    reconnectMaxMs: 300,
  });
  const device = await connectClient(`mqtt://127.0.0.1:${rig.local.port}`, { clientId: "fridge-1" });
  rig.clients.push(device);
  await publishSequence(device, `store/${STORE_ID}/fridge-1/temp`, range(PUBLISHED), { batch: 10 });
  return { logger, drops, outbox: rig.outbox, bridge: rig.bridge };
}

const storedSeqs = (box: Outbox) => box.peek(1000).map((row) => Number(row.payload.toString().split(":")[0]));
const totalDropped = (drops: readonly { count: number }[]) => drops.reduce((sum, drop) => sum + drop.count, 0);

it("drop-oldest: a full outbox keeps the newest messages, logs the drops and counts each; the rest is forwarded in order", async () => {
  const centralPort = await freePort();
  const centralDir = await tempDir();
  const watcher = await watchCentral(centralDir, centralPort, "#");
  rig.clients.push(watcher.client);
  const { logger, drops, outbox: box } = await bridgeWithFullOutbox("drop-oldest", centralPort);

  expect(box.depth()).toBe(CAPACITY);
  expect(storedSeqs(box)).toEqual(range(CAPACITY, PUBLISHED - CAPACITY));
  expect(totalDropped(drops)).toBe(PUBLISHED - CAPACITY);
  expect(drops.every((drop) => drop.cause === "drop-oldest")).toBe(true);
  // One line at the first drop; the rest are summed into later lines, not one line each.
  const dropLines = logger.lines.filter((line) => line.level === "warn" && /outbox is full/.test(line.msg));
  expect(dropLines.length).toBeGreaterThanOrEqual(1);
  expect(dropLines.length).toBeLessThan(PUBLISHED - CAPACITY);
  expect(dropLines[0]?.msg).toMatch(/oldest messages dropped.*policy drop-oldest/);

  // The central broker comes up: exactly what was kept arrives, in order.
  rig.central = await startCentral(centralDir, centralPort);
  const { received } = watcher;
  await waitFor("the kept messages at central", () => received.distinct.size >= CAPACITY, WAIT_MS);
  await waitFor("an empty outbox", () => box.depth() === 0, WAIT_MS);
  expect(firstArrivals(received.arrivals)).toEqual(range(CAPACITY, PUBLISHED - CAPACITY));

  // stop() logs what the throttle still held, so the log lines add up to every drop.
  await rig.bridge?.stop();
  const logged = logger.lines
    .filter((line) => /outbox is full/.test(line.msg))
    .reduce((sum, line) => sum + Number(line.fields?.dropped ?? 0), 0);
  expect(logged).toBe(PUBLISHED - CAPACITY);
});

it("drop-newest: a full outbox keeps the oldest messages and refuses the new ones, logged and counted", async () => {
  const { logger, drops, outbox: box } = await bridgeWithFullOutbox("drop-newest", await freePort());

  expect(box.depth()).toBe(CAPACITY);
  expect(storedSeqs(box)).toEqual(range(CAPACITY));
  expect(totalDropped(drops)).toBe(PUBLISHED - CAPACITY);
  expect(drops.every((drop) => drop.cause === "drop-newest")).toBe(true);
  expect(logger.lines.find((line) => /outbox is full/.test(line.msg))?.msg).toMatch(
    /new messages refused.*policy drop-newest/,
  );
});
