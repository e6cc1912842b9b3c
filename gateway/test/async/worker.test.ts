import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { AcceptedCall, Invoke, InvokeResult } from "../../src/async/accepted-call.js";
import { type AsyncQueue, openAsyncQueue } from "../../src/async/queue-store.js";
import { type AsyncWorker, type AsyncWorkerOptions, startAsyncWorker } from "../../src/async/worker.js";
import {
  type CallbackReceiver,
  deferred,
  makeCall,
  type Responder,
  recordEvents,
  recordingLogger,
  removeTempDirs,
  startReceiver,
  tempQueueFile,
} from "./helpers.js";

const workers: AsyncWorker[] = [];
const queues: AsyncQueue[] = [];
const receivers: CallbackReceiver[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop(1000)));
  for (const queue of queues.splice(0)) queue.close();
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  await removeTempDirs();
});

function answer(status: number, body = "", headers: Array<[string, string]> = []): InvokeResult {
  return { status, headers, body: Buffer.from(body), durationSeconds: 0.5 };
}

/** An invoke that records its calls and answers them in turn with `answers` (the last one repeats). */
function scriptedInvoke(...answers: Array<InvokeResult | Error>): Invoke & { calls: AcceptedCall[] } {
  const calls: AcceptedCall[] = [];
  const invoke = async (call: AcceptedCall): Promise<InvokeResult> => {
    calls.push(call);
    const next = answers[Math.min(calls.length, answers.length) - 1];
    if (next === undefined || next instanceof Error) throw next ?? new Error("no answer scripted");
    return next;
  };
  return Object.assign(invoke, { calls });
}

interface Setup {
  invoke: Invoke;
  respond?: Responder;
  options?: Partial<AsyncWorkerOptions>;
  file?: string;
}

async function setup({ invoke, respond, options = {}, file }: Setup) {
  const queue = openAsyncQueue({ file: file ?? (await tempQueueFile()) });
  queues.push(queue);
  const receiver = await startReceiver(respond);
  receivers.push(receiver);
  const recorded = recordEvents();
  const logger = recordingLogger();
  const worker = startAsyncWorker({
    queue,
    invoke,
    concurrency: 4,
    maxAttempts: 3,
    retryMinMs: 5,
    retryMaxMs: 50,
    callbackTimeoutMs: 2000,
    logger,
    events: recorded.events,
    ...options,
  });
  workers.push(worker);
  return { queue, receiver, worker, logger, ...recorded };
}

describe("a job with a callback", () => {
  it("hands invoke the original request, then POSTs the function's answer to the callback URL", async () => {
    const functionBody = JSON.stringify({ receipt: "r-1" });
    const invoke = scriptedInvoke({
      status: 201,
      headers: [
        ["Content-Type", "application/json"],
        ["X-Receipt", "r-1"],
        ["Set-Cookie", "a=1"],
        ["Set-Cookie", "b=2"],
        ["Connection", "close"],
        ["Transfer-Encoding", "chunked"],
        ["Content-Length", "999"],
      ],
      body: Buffer.from(functionBody),
      durationSeconds: 0.0123456789,
    });
    const { queue, receiver, waitFor } = await setup({ invoke });
    const call = makeCall({
      callId: "call-with-everything",
      method: "PUT",
      path: "/v2/print",
      query: "copies=2&store=berlin%201",
      headers: [
        ["Content-Type", "application/octet-stream"],
        ["X-Store", "berlin-1"],
        ["X-Store", "berlin-2"],
      ],
      body: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      callbackUrl: receiver.url,
    });
    await queue.accept(call); // the worker is woken by the accept itself

    const [callback] = await receiver.waitFor(1);
    await waitFor(1);
    expect(invoke.calls).toEqual([call]);
    expect(callback?.method).toBe("POST");
    expect(callback?.url).toBe("/done");
    expect(callback?.body.toString()).toBe(functionBody);
    const headers = callback?.headers.map(([name, value]) => [name.toLowerCase(), value]) ?? [];
    expect(headers.filter(([name]) => name !== "host" && name !== "connection")).toEqual([
      ["content-type", "application/json"],
      ["x-receipt", "r-1"],
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["x-call-id", "call-with-everything"],
      ["x-function-name", "receipt"],
      ["x-function-status", "201"],
      ["x-duration-seconds", "0.012346"],
      ["content-length", String(Buffer.byteLength(functionBody))],
    ]);
    expect(callback?.header("connection")).not.toBe("close");
    expect(queue.recent(1)).toEqual([
      expect.objectContaining({ state: "done", attempts: 1, status: 201, callbackStatus: 200, callbackAttempts: 1 }),
    ]);
    expect(queue.depth()).toBe(0);
  });

  it("retries an invocation answered 503 twice, then calls back once with 200", async () => {
    const invoke = scriptedInvoke(answer(503), answer(503), answer(200, "made it"));
    const { queue, receiver, waitFor, retried, finished } = await setup({ invoke });
    await queue.accept(makeCall({ callbackUrl: receiver.url }));
    await waitFor(1);

    expect(invoke.calls).toHaveLength(3);
    expect(receiver.received.map((cb) => [cb.header("x-function-status"), cb.body.toString()])).toEqual([
      ["200", "made it"],
    ]);
    expect(retried).toEqual([
      { fn: "receipt", what: "invoke", status: 503 },
      { fn: "receipt", what: "invoke", status: 503 },
    ]);
    expect(finished).toEqual([{ fn: "receipt", state: "done" }]);
    expect(queue.recent(1)[0]).toMatchObject({ state: "done", attempts: 3, status: 200, callbackAttempts: 1 });
  });

  it("delivers a callback on the third try when the receiver answers 503 twice", async () => {
    const invoke = scriptedInvoke(answer(200, "ok"));
    const { queue, receiver, waitFor, retried } = await setup({
      invoke,
      respond: (_cb, index) => (index < 2 ? 503 : 204),
    });
    const call = makeCall({ callbackUrl: receiver.url });
    await queue.accept(call);
    await waitFor(1);

    expect(invoke.calls).toHaveLength(1);
    expect(receiver.received.map((cb) => [cb.header("x-call-id"), cb.body.toString()])).toEqual([
      [call.callId, "ok"],
      [call.callId, "ok"],
      [call.callId, "ok"],
    ]);
    expect(retried.map((event) => [event.what, event.status])).toEqual([
      ["callback", 503],
      ["callback", 503],
    ]);
    expect(queue.recent(1)[0]).toMatchObject({ state: "done", callbackStatus: 204, callbackAttempts: 3 });
  });

  it("after the last attempt, calls back with the last status and marks the job failed, logging no secrets", async () => {
    const invoke = scriptedInvoke(answer(429), answer(504, "still busy", [["X-Token", "fn-secret"]]));
    const { queue, receiver, waitFor, retried, finished, logger } = await setup({ invoke });
    const call = makeCall({
      headers: [["Authorization", "Bearer caller-secret"]],
      body: Buffer.from("request-secret"),
      callbackUrl: receiver.url,
    });
    await queue.accept(call);
    await waitFor(1);

    expect(invoke.calls).toHaveLength(3);
    expect(receiver.received.map((cb) => [cb.header("x-function-status"), cb.body.toString()])).toEqual([
      ["504", "still busy"],
    ]);
    expect(retried.map((event) => event.status)).toEqual([429, 504]);
    expect(finished).toEqual([{ fn: "receipt", state: "failed" }]);
    expect(queue.recent(1)[0]).toMatchObject({
      state: "failed",
      attempts: 3,
      status: 504,
      callbackStatus: 200,
      lastError: "invoke: status 504",
    });
    const warnings = logger.lines.filter((line) => line.level === "warn");
    expect(warnings.map((line) => line.msg)).toEqual([
      "async invoke retried",
      "async invoke retried",
      "async job failed",
    ]);
    for (const line of warnings) expect(line.fields).toMatchObject({ callId: call.callId, function: "receipt" });
    const logged = JSON.stringify(logger.lines);
    for (const secret of ["caller-secret", "request-secret", "fn-secret", "still busy"]) {
      expect(logged).not.toContain(secret);
    }
  });

  it("calls back a 502 problem when invoke keeps throwing", async () => {
    const invoke = scriptedInvoke(new Error("socket hang up"));
    const { queue, receiver, waitFor, retried } = await setup({ invoke, options: { maxAttempts: 2 } });
    await queue.accept(makeCall({ callbackUrl: receiver.url }));
    await waitFor(1);

    expect(invoke.calls).toHaveLength(2);
    expect(retried).toEqual([{ fn: "receipt", what: "invoke", status: "error" }]);
    const [callback] = receiver.received;
    expect(callback?.header("x-function-status")).toBe("502");
    expect(callback?.header("content-type")).toBe("application/problem+json");
    expect(JSON.parse(callback?.body.toString() ?? "")).toMatchObject({ status: 502 });
    expect(queue.recent(1)[0]).toMatchObject({ state: "failed", lastError: "invoke: socket hang up" });
  });

  it("fails the job when the receiver never answers within callbackTimeoutMs, after retrying", async () => {
    const invoke = scriptedInvoke(answer(200));
    const { queue, receiver, waitFor, retried } = await setup({
      invoke,
      respond: () => "hang",
      options: { maxAttempts: 2, callbackTimeoutMs: 100 },
    });
    await queue.accept(makeCall({ callbackUrl: receiver.url }));
    await waitFor(1);

    expect(receiver.received).toHaveLength(2);
    expect(retried).toEqual([{ fn: "receipt", what: "callback", status: "error" }]);
    const [view] = queue.recent(1);
    expect(view).toMatchObject({
      state: "failed",
      callbackAttempts: 2,
      lastError: "callback: no answer within 100 ms",
    });
    expect(view?.callbackStatus).toBeUndefined();
  });

  it("does not retry a callback answered 400, and fails the job", async () => {
    const { queue, receiver, waitFor, retried } = await setup({
      invoke: scriptedInvoke(answer(200)),
      respond: () => 400,
    });
    await queue.accept(makeCall({ callbackUrl: receiver.url }));
    await waitFor(1);
    expect(receiver.received).toHaveLength(1);
    expect(retried).toEqual([]);
    expect(queue.recent(1)[0]).toMatchObject({
      state: "failed",
      callbackStatus: 400,
      lastError: "callback: status 400",
    });
  });
});

describe("outcomes", () => {
  it("does not retry a 400 or 500 from the function: the function ran, so the job is done", async () => {
    const invoke = scriptedInvoke(answer(400, "bad order"), answer(500));
    const { queue, receiver, waitFor, retried } = await setup({ invoke, options: { concurrency: 1 } });
    await queue.accept(makeCall({ callId: "with-callback", callbackUrl: receiver.url }));
    await queue.accept(makeCall({ callId: "without-callback" }));
    await waitFor(2);

    expect(invoke.calls.map((call) => call.callId)).toEqual(["with-callback", "without-callback"]);
    expect(retried).toEqual([]);
    expect(receiver.received.map((cb) => [cb.header("x-function-status"), cb.body.toString()])).toEqual([
      ["400", "bad order"],
    ]);
    expect(queue.recent(2).map((view) => [view.callId, view.state, view.status, view.callbackAttempts])).toEqual([
      ["without-callback", "done", 500, 0],
      ["with-callback", "done", 400, 1],
    ]);
  });

  it("fails a job without callback whose invocation attempts all ran out", async () => {
    const { queue, waitFor, finished } = await setup({ invoke: scriptedInvoke(answer(503)) });
    await queue.accept(makeCall());
    await waitFor(1);
    expect(finished).toEqual([{ fn: "receipt", state: "failed" }]);
    expect(queue.recent(1)[0]).toMatchObject({ state: "failed", attempts: 3, status: 503 });
  });
});

describe("Retry-After", () => {
  it("sets the next attempt at least Retry-After later, capped at retryMaxMs, for invocations and callbacks", async () => {
    const frozenNow = 1_000_000; // time stands still: a scheduled retry never comes due, so the schedule is observable
    const invoke = async (call: AcceptedCall): Promise<InvokeResult> => {
      const retryAfter = new URLSearchParams(call.query).get("retryAfter");
      if (retryAfter === null) return answer(200);
      if (retryAfter === "") return answer(503);
      return answer(503, "", [["Retry-After", retryAfter]]);
    };
    const { queue, receiver, waitForRetries } = await setup({
      invoke,
      respond: (_cb, _index, res) => {
        res.setHeader("Retry-After", "1");
        return 429;
      },
      options: { retryMinMs: 5, retryMaxMs: 1500, random: () => 0, now: () => frozenNow },
    });
    await queue.accept(makeCall({ callId: "one-second", query: "retryAfter=1" }));
    await queue.accept(makeCall({ callId: "one-minute", query: "retryAfter=60" }));
    await queue.accept(makeCall({ callId: "none", query: "retryAfter=" }));
    await queue.accept(makeCall({ callId: "callback", callbackUrl: receiver.url }));
    await waitForRetries(4);

    const delays = Object.fromEntries(
      queue.recent(4).map((view) => [view.callId, (view.nextAttemptAt ?? Number.NaN) - frozenNow]),
    );
    expect(delays).toEqual({ "one-second": 1000, "one-minute": 1500, none: 5, callback: 1000 });
  });
});

describe("scheduling", () => {
  it("runs at most `concurrency` invocations at once, and all of them in the end", async () => {
    let active = 0;
    let mostActive = 0;
    const invoke = async (): Promise<InvokeResult> => {
      active++;
      mostActive = Math.max(mostActive, active);
      await sleep(15);
      active--;
      return answer(200);
    };
    const { queue, waitFor } = await setup({ invoke, options: { concurrency: 3 } });
    await Promise.all(Array.from({ length: 12 }, () => queue.accept(makeCall())));
    await waitFor(12);
    expect(mostActive).toBe(3);
    expect(queue.depth()).toBe(0);
  });

  it("runs jobs first accepted first when one at a time", async () => {
    const invoke = scriptedInvoke(answer(200));
    const { queue, waitFor } = await setup({ invoke, options: { concurrency: 1 } });
    const calls = Array.from({ length: 5 }, () => makeCall());
    await Promise.all(calls.map((call) => queue.accept(call)));
    await waitFor(5);
    expect(invoke.calls.map((call) => call.callId)).toEqual(calls.map((call) => call.callId));
  });

  it("starts with jobs already in the queue", async () => {
    const file = await tempQueueFile();
    const earlier = openAsyncQueue({ file });
    await earlier.accept(makeCall({ callId: "from-before" }));
    earlier.close();
    const invoke = scriptedInvoke(answer(200));
    const { waitFor } = await setup({ invoke, file });
    await waitFor(1);
    expect(invoke.calls.map((call) => call.callId)).toEqual(["from-before"]);
  });
});

describe("stop", () => {
  it("waits for running jobs, callback included, and claims nothing new", async () => {
    const started = deferred<void>();
    const release = deferred<void>();
    const invoke = async (call: AcceptedCall): Promise<InvokeResult> => {
      started.resolve();
      await release.promise;
      return answer(200, call.callId);
    };
    const { queue, receiver, worker, finished } = await setup({ invoke, options: { concurrency: 1 } });
    await queue.accept(makeCall({ callId: "running", callbackUrl: receiver.url }));
    await queue.accept(makeCall({ callId: "waiting", callbackUrl: receiver.url }));
    await started.promise;

    let stopped = false;
    const stopping = worker.stop(5000).then(() => {
      stopped = true;
    });
    await sleep(30);
    expect(stopped).toBe(false);
    expect(worker.active).toBe(1);
    release.resolve();
    await stopping;

    expect(finished).toEqual([{ fn: "receipt", state: "done" }]);
    expect(receiver.received.map((cb) => cb.body.toString())).toEqual(["running"]);
    expect(queue.recent(2).map((view) => [view.callId, view.state])).toEqual([
      ["waiting", "queued"],
      ["running", "done"],
    ]);
  });

  it("leaves a job still running after graceMs as running, and a later worker runs it again", async () => {
    const file = await tempQueueFile();
    const started = deferred<void>();
    const never = deferred<InvokeResult>();
    const stuck = async (): Promise<InvokeResult> => {
      started.resolve();
      return never.promise;
    };
    const first = await setup({ invoke: stuck, file });
    await first.queue.accept(makeCall({ callId: "stuck", callbackUrl: first.receiver.url }));
    await started.promise;
    await first.worker.stop(50);

    expect(first.queue.recent(1)[0]).toMatchObject({ callId: "stuck", state: "running" });
    expect(first.logger.lines.map((line) => line.msg)).toContain(
      "async worker stopped with jobs still running; they run again after restart",
    );
    first.queue.close();
    never.resolve(answer(200)); // the abandoned invocation ends after the queue closed: nothing may be written
    await sleep(20);
    expect(first.logger.lines.map((line) => line.msg)).not.toContain("async job interrupted");

    const invoke = scriptedInvoke(answer(200, "second life"));
    const second = await setup({ invoke, file });
    expect(second.queue.recoveredOnOpen).toBe(1);
    await second.waitFor(1);
    expect(invoke.calls.map((call) => call.callId)).toEqual(["stuck"]);
    expect(first.receiver.received.map((cb) => cb.body.toString())).toEqual(["second life"]);
  });
});
