import { afterEach, expect, it } from "vitest";
import { type Dispatcher, startDispatcher } from "../../src/mqtt/queue/dispatcher.js";
import { type MessageQueue, openMessageQueue } from "../../src/mqtt/queue/message-queue.js";
import {
  answer,
  Condition,
  labelOf,
  makeMessage,
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

it("survives a queue that fails to read and to delete for a while: nothing lost, nothing invoked twice", async () => {
  const real = openMessageQueue({ file: await tempQueueFile() });
  queue = real;
  let loadFailures = 1;
  let removeFailures = 1;
  const removed = new Condition();
  // The real queue with its first read and first delete failing, as on a full or failing disk.
  const flaky: MessageQueue = {
    ...real,
    load(id) {
      if (loadFailures-- > 0) throw new Error("SQLITE_IOERR: disk I/O error");
      return real.load(id);
    },
    remove(ids) {
      if (removeFailures-- > 0) throw new Error("SQLITE_FULL: database or disk is full");
      real.remove(ids);
      removed.notify();
    },
  };
  const invoked: string[] = [];
  const logger = recordingLogger();
  const recorded = recordEvents();
  dispatcher = startDispatcher({
    queue: flaky,
    invoke: async (delivery) => {
      invoked.push(labelOf(delivery));
      return answer(delivery, 200);
    },
    maxInflight: 2,
    maxAttempts: 3,
    retryMinMs: 1,
    retryMaxMs: 10,
    deadLetter: async () => {},
    logger,
    events: recorded.events,
  });
  real.enqueue(makeMessage("t", "one"), ["f"]);
  real.enqueue(makeMessage("t", "two"), ["f"]);
  await recorded.waitForFinished(2);
  await removed.waitFor(
    () => real.depth() === 0,
    () => `the finished rows deleted (depth ${real.depth()})`,
  );
  expect(invoked).toEqual(["one", "two"]);
  expect(logger.lines.map((line) => line.msg)).toEqual(
    expect.arrayContaining([
      "delivery step failed; trying again later",
      "finished deliveries not deleted yet; trying again",
    ]),
  );
  const stepFailure = logger.lines.find((line) => line.msg === "delivery step failed; trying again later");
  expect(stepFailure?.fields).toMatchObject({ topic: "t", function: "f", error: "SQLITE_IOERR: disk I/O error" });
});
