import { afterEach, expect, it } from "vitest";
import type { InvokerResponse } from "../../src/core/invoker.js";
import { type Dispatcher, startDispatcher } from "../../src/mqtt/queue/dispatcher.js";
import { type MessageQueue, openMessageQueue } from "../../src/mqtt/queue/message-queue.js";
import type { QueuedDelivery } from "../../src/mqtt/queue/received-message.js";
import {
  answer,
  Condition,
  type Deferred,
  deferred,
  labelOf,
  makeMessage,
  nextTurn,
  recordEvents,
  recordingLogger,
  removeTempDirs,
  tempQueueFile,
} from "./helpers.js";

let queue: MessageQueue | undefined;
let dispatcher: Dispatcher | undefined;

afterEach(async () => {
  await dispatcher?.stop(1000);
  dispatcher = undefined;
  queue?.close();
  queue = undefined;
  await removeTempDirs();
});

/** An invoke whose answers the test releases by hand. */
function heldInvoke() {
  const started = new Condition();
  const held: Array<{ label: string; answer: Deferred<InvokerResponse>; delivery: QueuedDelivery }> = [];
  return {
    held,
    started,
    invoke: (delivery: QueuedDelivery): Promise<InvokerResponse> => {
      const pending = deferred<InvokerResponse>();
      held.push({ label: labelOf(delivery), answer: pending, delivery });
      started.notify();
      return pending.promise;
    },
    waitForStarted: (count: number) =>
      started.waitFor(
        () => held.length >= count,
        () => `${count} invocations`,
      ),
  };
}

function start(invoke: (delivery: QueuedDelivery) => Promise<InvokerResponse>, events = recordEvents()) {
  if (queue === undefined) throw new Error("open the queue first");
  const logger = recordingLogger();
  dispatcher = startDispatcher({
    queue,
    invoke,
    maxInflight: 3,
    maxAttempts: 3,
    retryMinMs: 1,
    retryMaxMs: 10,
    deadLetter: async () => {},
    logger,
    events: events.events,
  });
  return { dispatcher, logger, events };
}

it("stop claims nothing new, waits for running invocations, and a restart resumes the rest", async () => {
  const file = await tempQueueFile();
  queue = openMessageQueue({ file });
  for (const topic of ["a", "b", "c"]) {
    queue.enqueue(makeMessage(topic, `${topic}1`), ["f"]);
    queue.enqueue(makeMessage(topic, `${topic}2`), ["f"]);
  }
  const first = heldInvoke();
  const { dispatcher: running, events } = start(first.invoke);
  await first.waitForStarted(3);
  expect(running.inflight).toBe(3);

  let stopped = false;
  const stopping = running.stop(5000).then(() => {
    stopped = true;
  });
  await nextTurn();
  expect(stopped).toBe(false);
  for (const call of first.held) call.answer.resolve(answer(call.delivery, 200));
  await stopping;
  expect(first.held.map((call) => call.label).sort()).toEqual(["a1", "b1", "c1"]);
  expect(events.finished).toHaveLength(3);
  expect(running.inflight).toBe(0);
  // The finished three are deleted by the time stop resolves; the others were never claimed.
  expect(queue.depth()).toBe(3);
  queue.close();

  queue = openMessageQueue({ file });
  const invokedAfterRestart: string[] = [];
  const second = start(async (delivery) => {
    invokedAfterRestart.push(labelOf(delivery));
    return answer(delivery, 200);
  });
  await second.events.waitForFinished(3);
  expect(invokedAfterRestart.sort()).toEqual(["a2", "b2", "c2"]);
  await nextTurn();
  expect(queue.depth()).toBe(0);
});

it("stop gives up after its grace; what still ran is invoked again after a restart and writes nothing late", async () => {
  const file = await tempQueueFile();
  queue = openMessageQueue({ file });
  queue.enqueue(makeMessage("slow", "stuck"), ["f"]);
  queue.enqueue(makeMessage("fast", "quick"), ["f"]);
  const first = heldInvoke();
  const { dispatcher: running, logger } = start(first.invoke);
  await first.waitForStarted(2);
  const quick = first.held.find((call) => call.label === "quick");
  quick?.answer.resolve(answer(quick.delivery, 200));
  await nextTurn();

  await running.stop(30);
  expect(logger.lines).toContainEqual({
    level: "warn",
    msg: "dispatcher stopped with deliveries still running; they run again after a restart",
    fields: { deliveries: 1 },
  });
  queue.close();
  // The late answer must not touch the closed queue (it would throw inside the dispatcher, unhandled).
  const stuck = first.held.find((call) => call.label === "stuck");
  stuck?.answer.resolve(answer(stuck.delivery, 200));
  await nextTurn();

  queue = openMessageQueue({ file });
  const invokedAfterRestart: Array<[string, number]> = [];
  const second = start(async (delivery) => {
    invokedAfterRestart.push([labelOf(delivery), delivery.attempts]);
    return answer(delivery, 200);
  });
  await second.events.waitForFinished(1);
  expect(invokedAfterRestart).toEqual([["stuck", 0]]);
});
