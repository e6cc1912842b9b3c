import { afterEach, describe, expect, it } from "vitest";
import type { InvokerResponse } from "../../src/core/invoker.js";
import { type Dispatcher, type DispatcherOptions, startDispatcher } from "../../src/mqtt/queue/dispatcher.js";
import { type MessageQueue, openMessageQueue } from "../../src/mqtt/queue/message-queue.js";
import type { DeadLetterReason, QueuedDelivery } from "../../src/mqtt/queue/received-message.js";
import {
  answer,
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

type Script = (delivery: QueuedDelivery) => InvokerResponse | Promise<InvokerResponse>;

interface Harness {
  readonly invoked: string[];
  readonly deadLetters: Array<{ label: string; attempts: number; reason: DeadLetterReason }>;
  readonly logger: ReturnType<typeof recordingLogger>;
  readonly recorded: ReturnType<typeof recordEvents>;
}

/** A dispatcher on a fresh queue; `invoked` records "label#attemptsSoFar" for every invocation. */
async function start(script: Script, overrides: Partial<DispatcherOptions> = {}): Promise<Harness> {
  queue ??= openMessageQueue({ file: await tempQueueFile() });
  const harness: Harness = { invoked: [], deadLetters: [], logger: recordingLogger(), recorded: recordEvents() };
  dispatcher = startDispatcher({
    queue,
    invoke: async (delivery) => {
      harness.invoked.push(`${labelOf(delivery)}#${delivery.attempts}`);
      return script(delivery);
    },
    maxInflight: 4,
    maxAttempts: 3,
    retryMinMs: 5,
    retryMaxMs: 50,
    deadLetter: async (delivery, reason) => {
      harness.deadLetters.push({ label: labelOf(delivery), attempts: delivery.attempts, reason });
    },
    logger: harness.logger,
    events: harness.recorded.events,
    random: () => 0,
    ...overrides,
  });
  return harness;
}

function logged(harness: Harness, msg: string): Array<Record<string, unknown>> {
  return harness.logger.lines.filter((line) => line.msg === msg).map((line) => line.fields ?? {});
}

describe("dispatcher retries", () => {
  it("retries 503, 503 then 200 in three attempts, holding back the same topic but not others", async () => {
    const statuses = [503, 503];
    const h = await start((delivery) =>
      answer(delivery, labelOf(delivery) === "head" ? (statuses.shift() ?? 200) : 200),
    );
    queue?.enqueue(makeMessage("t", "head"), ["f"]);
    queue?.enqueue(makeMessage("t", "second"), ["f"]);
    queue?.enqueue(makeMessage("t", "third"), ["f"]);
    queue?.enqueue(makeMessage("other", "elsewhere"), ["f"]);
    await h.recorded.waitForFinished(4);

    const sameTopic = h.invoked.filter((entry) => !entry.startsWith("elsewhere"));
    expect(sameTopic).toEqual(["head#0", "head#1", "head#2", "second#0", "third#0"]);
    // The other topic did not wait for the retried head.
    expect(h.invoked.indexOf("elsewhere#0")).toBeLessThan(h.invoked.indexOf("head#1"));
    expect(h.recorded.retried).toEqual([
      { fn: "f", status: 503 },
      { fn: "f", status: 503 },
    ]);
    expect(h.deadLetters).toEqual([]);
    expect(logged(h, "invocation retried").map((fields) => fields.attempt)).toEqual([1, 2]);
    expect(dispatcher?.depth()).toBe(0);
  });

  it("dead-letters a 400 at once with its reason, then deletes it", async () => {
    const h = await start((delivery) => answer(delivery, labelOf(delivery) === "bad" ? 400 : 200));
    queue?.enqueue(makeMessage("t", "bad"), ["fn.ns"]);
    queue?.enqueue(makeMessage("t", "good"), ["fn.ns"]);
    await h.recorded.waitForFinished(2);
    expect(h.invoked).toEqual(["bad#0", "good#0"]);
    expect(h.deadLetters).toEqual([{ label: "bad", attempts: 1, reason: { status: 400, fn: "fn.ns", attempts: 1 } }]);
    expect(h.recorded.deadLettered).toEqual([{ fn: "fn.ns", reason: { status: 400, fn: "fn.ns", attempts: 1 } }]);
    expect(h.recorded.retried).toEqual([]);
    await nextTurn();
    expect(queue?.depth()).toBe(0);
  });

  it("dead-letters with the last status and the attempts once retries run out", async () => {
    const statuses = [503, 429, 502];
    const h = await start((delivery) => answer(delivery, statuses.shift() ?? 200));
    queue?.enqueue(makeMessage("t", "doomed"), ["f"]);
    await h.recorded.waitForFinished(1);
    expect(h.invoked).toEqual(["doomed#0", "doomed#1", "doomed#2"]);
    expect(h.deadLetters).toEqual([{ label: "doomed", attempts: 3, reason: { status: 502, fn: "f", attempts: 3 } }]);
    expect(h.recorded.invoked.map((event) => event.status)).toEqual([503, 429, 502]);
  });

  it("retries no answer (status 0) and a throwing invoke, and dead-letters them as errors when they last", async () => {
    let calls = 0;
    const h = await start((delivery) => {
      calls++;
      if (labelOf(delivery) === "recovers") {
        if (calls === 1) return answer(delivery, 0, {}, new Error("connect ECONNREFUSED 127.0.0.1:8080"));
        if (calls === 2) throw new Error("socket hang up");
        return answer(delivery, 200);
      }
      return answer(delivery, 0, {}, new Error("Headers Timeout Error"));
    });
    queue?.enqueue(makeMessage("a", "recovers"), ["f"]);
    await h.recorded.waitForFinished(1);
    expect(h.invoked).toEqual(["recovers#0", "recovers#1", "recovers#2"]);
    expect(h.recorded.retried).toEqual([
      { fn: "f", status: "error" },
      { fn: "f", status: "error" },
    ]);
    expect(logged(h, "invocation retried").map((fields) => fields.error)).toEqual([
      "connect ECONNREFUSED 127.0.0.1:8080",
      "socket hang up",
    ]);

    queue?.enqueue(makeMessage("b", "never"), ["f"]);
    await h.recorded.waitForFinished(2);
    expect(h.deadLetters).toEqual([
      {
        label: "never",
        attempts: 3,
        reason: { status: "error", fn: "f", attempts: 3, error: "Headers Timeout Error" },
      },
    ]);
  });

  it("honours Retry-After, bounded by retryMaxMs", async () => {
    const plan: Array<[number, Record<string, string>]> = [
      [429, { "retry-after": "1" }],
      [503, { "retry-after": "0" }],
      [503, {}],
    ];
    const h = await start(
      (delivery) => {
        const [status, headers] = plan.shift() ?? [200, {}];
        return answer(delivery, status, headers);
      },
      { maxAttempts: 5, retryMinMs: 10, retryMaxMs: 120 },
    );
    queue?.enqueue(makeMessage("t", "busy"), ["f"]);
    await h.recorded.waitForFinished(1);
    expect(h.invoked).toEqual(["busy#0", "busy#1", "busy#2", "busy#3"]);
    // random() is 0, so without Retry-After each wait is retryMinMs; 1 s of Retry-After is cut to retryMaxMs.
    expect(logged(h, "invocation retried").map((fields) => fields.delayMs)).toEqual([120, 10, 10]);
  });

  it("keeps the stored retry state, so attempts count across a restart and the wait still applies", async () => {
    const file = await tempQueueFile();
    queue = openMessageQueue({ file });
    queue.enqueue(makeMessage("t", "slow"), ["f"]);
    const [ref] = queue.pending();
    // As if a previous run made two attempts and scheduled the next one a little in the future.
    queue.recordRetry(ref?.id ?? -1, 2, Date.now() + 30);
    const h = await start((delivery) => answer(delivery, 503));
    await h.recorded.waitForFinished(1);
    expect(h.invoked).toEqual(["slow#2"]);
    expect(h.deadLetters.map((entry) => entry.reason)).toEqual([{ status: 503, fn: "f", attempts: 3 }]);
  });

  it("never logs payloads or header values", async () => {
    const h = await start((delivery) => answer(delivery, 503, { "retry-after": "0", "x-secret": "hunter2" }), {
      maxAttempts: 2,
    });
    queue?.enqueue(makeMessage("t", "top-secret-payload"), ["f"]);
    await h.recorded.waitForFinished(1);
    const text = JSON.stringify(h.logger.lines);
    expect(h.logger.lines.length).toBeGreaterThan(1);
    expect(text).not.toContain("top-secret-payload");
    expect(text).not.toContain("hunter2");
    expect(text).toContain('"topic":"t"');
  });
});

describe("dispatcher dead letters and responses", () => {
  it("keeps a delivery whose dead letter fails and sends it again without invoking it again", async () => {
    let failures = 2;
    const storedWhileFailing: unknown[] = [];
    const h = await start((delivery) => answer(delivery, labelOf(delivery) === "rejected" ? 422 : 200), {
      deadLetter: async (delivery, reason) => {
        if (failures > 0) {
          failures--;
          // While the broker is "down", the delivery is still stored, marked as awaiting its dead letter.
          storedWhileFailing.push(queue?.load(delivery.id)?.deadLetter);
          throw new Error("client disconnecting");
        }
        h.deadLetters.push({ label: labelOf(delivery), attempts: delivery.attempts, reason });
      },
    });
    queue?.enqueue(makeMessage("t", "rejected"), ["f"]);
    queue?.enqueue(makeMessage("t", "behind"), ["f"]);
    await h.recorded.waitForFinished(2);
    expect(h.invoked).toEqual(["rejected#0", "behind#0"]);
    expect(failures).toBe(0);
    const reason = { status: 422, fn: "f", attempts: 1 };
    expect(storedWhileFailing).toEqual([reason, reason]);
    expect(h.deadLetters).toEqual([{ label: "rejected", attempts: 1, reason: { status: 422, fn: "f", attempts: 1 } }]);
    expect(logged(h, "dead letter not published; trying again later").map((fields) => fields.failures)).toEqual([1, 2]);
    expect(h.recorded.deadLettered).toHaveLength(1);
  });

  it("after a restart sends a pending dead letter and never invokes it", async () => {
    const file = await tempQueueFile();
    queue = openMessageQueue({ file });
    const deadLetterFailed = deferred<void>();
    const first = await start((delivery) => answer(delivery, 404), {
      deadLetter: async () => {
        deadLetterFailed.resolve();
        throw new Error("broker down");
      },
    });
    queue.enqueue(makeMessage("t", "lost-function"), ["f"]);
    await deadLetterFailed.promise;
    await dispatcher?.stop(1000);
    queue.close();

    queue = openMessageQueue({ file });
    const second = await start(() => {
      throw new Error("must not be invoked again");
    });
    await second.recorded.waitForFinished(1);
    expect(first.invoked).toEqual(["lost-function#0"]);
    expect(second.invoked).toEqual([]);
    expect(second.deadLetters).toEqual([
      { label: "lost-function", attempts: 1, reason: { status: 404, fn: "f", attempts: 1 } },
    ]);
  });

  it("publishes a 2xx answer through respond; a failed respond is logged, not retried, and the row deleted", async () => {
    const responded: Array<[string, number]> = [];
    const h = await start((delivery) => answer(delivery, labelOf(delivery) === "accepted" ? 202 : 200), {
      respond: async (delivery, response) => {
        if (labelOf(delivery) === "unlucky") throw new Error("publish failed");
        responded.push([labelOf(delivery), response.status]);
      },
    });
    queue?.enqueue(makeMessage("t", "fine", { responseTopic: "t/reply" }), ["f"]);
    queue?.enqueue(makeMessage("t", "unlucky"), ["f"]);
    queue?.enqueue(makeMessage("t", "accepted"), ["f"]);
    await h.recorded.waitForFinished(3);
    expect(responded).toEqual([
      ["fine", 200],
      ["accepted", 202],
    ]);
    expect(h.invoked).toEqual(["fine#0", "unlucky#0", "accepted#0"]);
    expect(logged(h, "response not published")).toEqual([
      { topic: "t", function: "f", delivery: expect.any(Number), status: 200, error: "publish failed" },
    ]);
    await nextTurn();
    expect(queue?.depth()).toBe(0);
  });

  it("refuses options that cannot work", async () => {
    queue = openMessageQueue({ file: await tempQueueFile() });
    const base = {
      queue,
      invoke: async (delivery: QueuedDelivery) => answer(delivery, 200),
      maxInflight: 1,
      maxAttempts: 1,
      retryMinMs: 0,
      retryMaxMs: 0,
      deadLetter: async () => {},
      logger: recordingLogger(),
    };
    expect(() => startDispatcher({ ...base, maxInflight: 0 })).toThrow(/maxInflight/);
    expect(() => startDispatcher({ ...base, maxAttempts: 1.5 })).toThrow(/maxAttempts/);
    expect(() => startDispatcher({ ...base, retryMinMs: -1 })).toThrow(/retryMinMs/);
    expect(() => startDispatcher({ ...base, retryMinMs: 10, retryMaxMs: 5 })).toThrow(/retryMaxMs/);
  });
});
