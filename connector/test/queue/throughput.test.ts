import { performance } from "node:perf_hooks";
import { afterEach, expect, it } from "vitest";
import { type Dispatcher, startDispatcher } from "../../src/mqtt/queue/dispatcher.js";
import { type MessageQueue, openMessageQueue, type QueueSynchronous } from "../../src/mqtt/queue/message-queue.js";
import { answer, recordEvents, recordingLogger, removeTempDirs, tempQueueFile } from "./helpers.js";

/** Each measurement runs this long at most (printed, never asserted: timings depend on the machine). */
const BUDGET_MS = 1500;
const MAX_MESSAGES = 50_000;
const PAYLOAD = Buffer.alloc(256, 7);

let queue: MessageQueue | undefined;
let dispatcher: Dispatcher | undefined;

afterEach(async () => {
  await dispatcher?.stop(1000);
  dispatcher = undefined;
  queue?.close();
  queue = undefined;
  await removeTempDirs();
});

/** Enqueues one 256-byte message at a time, as handleMessage does, for BUDGET_MS or MAX_MESSAGES. */
function enqueueFor(target: MessageQueue): { count: number; perSecond: number } {
  const started = performance.now();
  let count = 0;
  while (count < MAX_MESSAGES && performance.now() - started < BUDGET_MS) {
    target.enqueue({ topic: `shop/${count % 20}/orders`, payload: PAYLOAD, receivedAt: Date.now() }, ["receipt"]);
    count++;
  }
  return { count, perSecond: Math.round(count / ((performance.now() - started) / 1000)) };
}

it.each<QueueSynchronous>(["normal", "full"])(
  "measures enqueue throughput with synchronous = %s (printed)",
  async (synchronous) => {
    const file = await tempQueueFile();
    queue = openMessageQueue({ file, synchronous });
    const { count, perSecond } = enqueueFor(queue);
    console.log(`[mqtt queue] enqueue, synchronous=${synchronous}: ${perSecond} messages/s (${count} in the run)`);
    expect(queue.depth()).toBe(count);
    queue.close();
    queue = openMessageQueue({ file });
    expect(queue.pending()).toHaveLength(count);
  },
);

it("measures enqueue-to-finished throughput through the dispatcher with an instant function (printed)", async () => {
  queue = openMessageQueue({ file: await tempQueueFile() });
  const recorded = recordEvents();
  dispatcher = startDispatcher({
    queue,
    invoke: async (delivery) => answer(delivery, 200),
    maxInflight: 64,
    maxAttempts: 3,
    retryMinMs: 1,
    retryMaxMs: 10,
    deadLetter: async () => {},
    logger: recordingLogger(),
    events: recorded.events,
  });
  const total = 20_000;
  const started = performance.now();
  // Ten messages per event-loop turn, as MQTT intake hands them over; the dispatcher works in between.
  for (let sent = 0; sent < total; sent += 10) {
    for (let i = 0; i < 10; i++) {
      queue.enqueue({ topic: `shop/${(sent + i) % 20}/orders`, payload: PAYLOAD, receivedAt: Date.now() }, ["receipt"]);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await recorded.waitForFinished(total);
  const perSecond = Math.round(total / ((performance.now() - started) / 1000));
  console.log(`[mqtt queue] enqueue → invoke → delete, synchronous=normal: ${perSecond} messages/s (${total})`);
  expect(recorded.invoked).toHaveLength(total);
  expect(dispatcher.depth()).toBe(0);
});
