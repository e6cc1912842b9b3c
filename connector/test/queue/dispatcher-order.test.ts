import { afterEach, expect, it } from "vitest";
import type { InvokerResponse } from "../../src/core/invoker.js";
import { type Dispatcher, startDispatcher } from "../../src/mqtt/queue/dispatcher.js";
import { type MessageQueue, openMessageQueue } from "../../src/mqtt/queue/message-queue.js";
import type { QueuedDelivery } from "../../src/mqtt/queue/received-message.js";
import {
  answer,
  labelOf,
  makeMessage,
  nextTurn,
  recordEvents,
  recordingLogger,
  removeTempDirs,
  tempQueueFile,
} from "./helpers.js";

const TOPICS = 20;
const PER_TOPIC = 50;
const MAX_INFLIGHT = 8;

let queue: MessageQueue | undefined;
let dispatcher: Dispatcher | undefined;

afterEach(async () => {
  await dispatcher?.stop(1000);
  dispatcher = undefined;
  queue?.close();
  queue = undefined;
  await removeTempDirs();
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

it("invokes each (topic, fn) in arrival order, topics concurrently, never above maxInflight", async () => {
  queue = openMessageQueue({ file: await tempQueueFile() });
  const seen = new Map<string, number[]>();
  const runningPerLane = new Map<string, number>();
  const runningTopics = new Map<string, number>();
  let running = 0;
  let mostRunning = 0;
  let mostTopicsAtOnce = 0;
  let laneOverlaps = 0;
  const invoke = async (delivery: QueuedDelivery): Promise<InvokerResponse> => {
    const topic = delivery.message.topic;
    const lane = `${topic} ${delivery.fn}`;
    const laneRunning = (runningPerLane.get(lane) ?? 0) + 1;
    if (laneRunning > 1) laneOverlaps++;
    runningPerLane.set(lane, laneRunning);
    runningTopics.set(topic, (runningTopics.get(topic) ?? 0) + 1);
    running++;
    mostRunning = Math.max(mostRunning, running);
    mostTopicsAtOnce = Math.max(mostTopicsAtOnce, [...runningTopics.values()].filter((n) => n > 0).length);
    seen.set(lane, [...(seen.get(lane) ?? []), Number(labelOf(delivery))]);
    // Random latencies make later messages of a lane finish first if the lane ever ran two at once.
    await sleep(Math.floor(Math.random() * 3));
    running--;
    runningPerLane.set(lane, laneRunning - 1);
    runningTopics.set(topic, (runningTopics.get(topic) ?? 1) - 1);
    return answer(delivery, 200);
  };

  // Half of the messages are stored before the dispatcher starts (as after a restart), half arrive while it runs;
  // every fourth topic also goes to a second function, which has its own order.
  const enqueue = (index: number): void => {
    for (let topic = 0; topic < TOPICS; topic++) {
      queue?.enqueue(makeMessage(`shop/${topic}/orders`, index), topic % 4 === 0 ? ["receipt", "audit"] : ["receipt"]);
    }
  };
  for (let index = 0; index < PER_TOPIC / 2; index++) enqueue(index);
  const { events, waitForFinished } = recordEvents();
  dispatcher = startDispatcher({
    queue,
    invoke,
    maxInflight: MAX_INFLIGHT,
    maxAttempts: 3,
    retryMinMs: 1,
    retryMaxMs: 10,
    deadLetter: async () => {
      throw new Error("no dead letter expected");
    },
    logger: recordingLogger(),
    events,
  });
  for (let index = PER_TOPIC / 2; index < PER_TOPIC; index++) {
    enqueue(index);
    if (index % 5 === 0) await nextTurn();
  }
  const total = TOPICS * PER_TOPIC + (TOPICS / 4) * PER_TOPIC;
  await waitForFinished(total);

  expect(seen.size).toBe(TOPICS + TOPICS / 4);
  const inOrder = Array.from({ length: PER_TOPIC }, (_, i) => i);
  for (const [lane, labels] of seen) expect(labels, lane).toEqual(inOrder);
  expect(laneOverlaps).toBe(0);
  expect(mostRunning).toBeLessThanOrEqual(MAX_INFLIGHT);
  expect(mostTopicsAtOnce).toBeGreaterThan(1);
  expect(dispatcher.depth()).toBe(0);
  await nextTurn();
  expect(queue.depth()).toBe(0);
  expect(dispatcher.inflight).toBe(0);
});

it("wakes on work enqueued after it went idle, and resumes what was stored before it started", async () => {
  const file = await tempQueueFile();
  queue = openMessageQueue({ file });
  queue.enqueue(makeMessage("t/before", "stored"), ["f"]);
  const invoked: string[] = [];
  const { events, waitForFinished } = recordEvents();
  const logger = recordingLogger();
  dispatcher = startDispatcher({
    queue,
    invoke: async (delivery) => {
      invoked.push(`${delivery.fn}:${labelOf(delivery)}`);
      return answer(delivery, 204);
    },
    maxInflight: 2,
    maxAttempts: 1,
    retryMinMs: 0,
    retryMaxMs: 0,
    deadLetter: async () => {},
    logger,
    events,
  });
  await waitForFinished(1);
  expect(logger.lines).toContainEqual({
    level: "info",
    msg: "resuming deliveries stored before this start",
    fields: { deliveries: 1 },
  });
  queue.enqueue(makeMessage("t/after", "later"), ["f", "g"]);
  await waitForFinished(3);
  expect(invoked.sort()).toEqual(["f:later", "f:stored", "g:later"]);
});
