import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, expect, it } from "vitest";
import type { AcceptedCall, InvokeResult } from "../../src/async/accepted-call.js";
import { type AsyncQueue, openAsyncQueue } from "../../src/async/queue-store.js";
import { type AsyncWorker, startAsyncWorker } from "../../src/async/worker.js";
import {
  type CallbackReceiver,
  FIXTURES,
  REPO_ROOT,
  recordEvents,
  recordingLogger,
  removeTempDirs,
  startReceiver,
  tempQueueFile,
  WAIT_MS,
} from "./helpers.js";

const COMPILED_QUEUE = path.join(REPO_ROOT, "gateway/dist/async/queue-store.js");
const ACKS_BEFORE_KILL = 30;

let child: ChildProcess | undefined;
let receiver: CallbackReceiver | undefined;
let worker: AsyncWorker | undefined;
let queue: AsyncQueue | undefined;

beforeAll(() => {
  if (!existsSync(COMPILED_QUEUE)) {
    throw new Error(`${COMPILED_QUEUE} is missing: build with \`npx tsc -b gateway\` (npm test does it first)`);
  }
});

afterEach(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await worker?.stop(1000);
  queue?.close();
  await receiver?.close();
  await removeTempDirs();
});

/** Runs the fixture until it has acknowledged ACKS_BEFORE_KILL calls after "ready", then SIGKILLs it. */
function runAndKill(file: string, callbackUrl: string): Promise<{ acked: string[]; signal: string | null }> {
  const fixture = spawn(process.execPath, [path.join(FIXTURES, "accept-then-crash.mjs"), file, callbackUrl], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = fixture;
  return new Promise((resolve, reject) => {
    const acked: string[] = [];
    let ready = false;
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => {
      fixture.kill("SIGKILL");
      reject(new Error(`the fixture did not get far enough: ${stderr || stdout.slice(-500)}`));
    }, WAIT_MS);
    fixture.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    fixture.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split("\n");
      stdout = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") ready = true;
        else if (line.startsWith("ack ")) acked.push(line.slice(4));
      }
      if (ready && acked.length >= ACKS_BEFORE_KILL) fixture.kill("SIGKILL");
    });
    fixture.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`the fixture ended before "ready": ${stderr}`));
      else resolve({ acked: [...acked], signal });
    });
  });
}

it("loses nothing a SIGKILLed process accepted: every call runs and every callback arrives", async () => {
  const file = await tempQueueFile();
  receiver = await startReceiver();
  const { acked, signal } = await runAndKill(file, receiver.url);
  expect(signal).toBe("SIGKILL");
  expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

  queue = openAsyncQueue({ file });
  expect(queue.recoveredOnOpen).toBe(5);
  const jobs = queue.recent(10_000);
  const stored = new Set(jobs.map((job) => job.callId));
  for (const callId of [...Array.from({ length: 20 }, (_, i) => `before-${i}`), ...acked]) {
    expect(stored.has(callId), callId).toBe(true);
  }
  expect(jobs.every((job) => job.state === "queued")).toBe(true);
  expect(jobs.filter((job) => job.awaitingCallback).map((job) => job.callId)).toEqual(["before-1", "before-0"]);

  const invoked: string[] = [];
  const invoke = async (call: AcceptedCall): Promise<InvokeResult> => {
    invoked.push(call.callId);
    return { status: 200, headers: [], body: Buffer.from(`invoked ${call.callId}`), durationSeconds: 0.01 };
  };
  const { events, waitFor, finished } = recordEvents();
  worker = startAsyncWorker({
    queue,
    invoke,
    concurrency: 8,
    maxAttempts: 3,
    retryMinMs: 5,
    retryMaxMs: 50,
    callbackTimeoutMs: 2000,
    logger: recordingLogger(),
    events,
  });
  await waitFor(jobs.length);
  await receiver.waitFor(jobs.length);

  expect(finished.every((end) => end.state === "done")).toBe(true);
  expect(queue.depth()).toBe(0);
  const delivered = new Map(receiver.received.map((cb) => [cb.header("x-call-id"), cb]));
  expect([...delivered.keys()].sort()).toEqual([...stored].sort());
  // The two whose result was stored before the crash are not invoked again: their callback carries that result.
  expect(invoked).not.toContain("before-0");
  expect(invoked).not.toContain("before-1");
  for (const callId of ["before-0", "before-1"]) {
    const callback = delivered.get(callId);
    expect(callback?.header("x-function-status")).toBe("201");
    expect(callback?.body.toString()).toBe(`stored result of ${callId}`);
  }
  // The three left running mid-invocation run again.
  expect(invoked).toEqual(expect.arrayContaining(["before-2", "before-3", "before-4"]));
  expect(delivered.get("before-2")?.body.toString()).toBe("invoked before-2");
});
