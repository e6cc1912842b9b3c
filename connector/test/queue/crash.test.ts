import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, expect, it } from "vitest";
import { type Dispatcher, startDispatcher } from "../../src/mqtt/queue/dispatcher.js";
import { type MessageQueue, openMessageQueue } from "../../src/mqtt/queue/message-queue.js";
import type { DeadLetterReason } from "../../src/mqtt/queue/received-message.js";
import {
  answer,
  FIXTURES,
  labelOf,
  REPO_ROOT,
  recordEvents,
  recordingLogger,
  removeTempDirs,
  tempQueueFile,
  WAIT_MS,
} from "./helpers.js";

const COMPILED_QUEUE = path.join(REPO_ROOT, "connector/dist/mqtt/queue/message-queue.js");
const ACKS_BEFORE_KILL = 300;

let child: ChildProcess | undefined;
let queue: MessageQueue | undefined;
let dispatcher: Dispatcher | undefined;

beforeAll(() => {
  if (!existsSync(COMPILED_QUEUE)) {
    throw new Error(`${COMPILED_QUEUE} is missing: build with \`npx tsc -b connector\` first`);
  }
});

afterEach(async () => {
  if (child?.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = undefined;
  await dispatcher?.stop(1000);
  dispatcher = undefined;
  queue?.close();
  queue = undefined;
  await removeTempDirs();
});

interface CrashRun {
  readonly acked: string[];
  readonly started: string[];
  readonly signal: NodeJS.Signals | null;
}

/** Runs the fixture until it has acknowledged ACKS_BEFORE_KILL messages after "ready", then SIGKILLs it. */
function runAndKill(file: string): Promise<CrashRun> {
  const fixture = spawn(process.execPath, [path.join(FIXTURES, "enqueue-then-crash.mjs"), file], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = fixture;
  return new Promise((resolve, reject) => {
    const acked: string[] = [];
    const started: string[] = [];
    let ready = false;
    let partial = "";
    let stderr = "";
    const timer = setTimeout(() => {
      fixture.kill("SIGKILL");
      reject(new Error(`the fixture did not get far enough: ${stderr || partial.slice(-500)}`));
    }, WAIT_MS);
    fixture.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    fixture.stdout?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") ready = true;
        else if (line.startsWith("ack ")) acked.push(line.slice(4));
        else if (line.startsWith("started ")) started.push(line.slice(8));
      }
      if (ready && acked.length >= ACKS_BEFORE_KILL) fixture.kill("SIGKILL");
    });
    fixture.on("exit", (_code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`the fixture ended before "ready": ${stderr}`));
      else resolve({ acked: [...acked], started: [...started], signal });
    });
  });
}

it("loses nothing a SIGKILLed connector enqueued; what was in progress runs again, in order", async () => {
  const file = await tempQueueFile();
  const { acked, started, signal } = await runAndKill(file);
  expect(signal).toBe("SIGKILL");
  expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);
  // The lanes the fixture's dispatcher had in progress: two invocations and one dead letter, none finished.
  expect(started).toEqual(["before-0", "before-1", "before-2"]);

  queue = openMessageQueue({ file });
  const stored = new Map<string, { attempts: number; deadLetter: DeadLetterReason | undefined }>();
  for (const ref of queue.pending()) {
    const row = queue.load(ref.id);
    if (row === undefined) continue;
    stored.set(`${labelOf(row.delivery)} ${ref.fn}`, {
      attempts: row.delivery.attempts,
      deadLetter: row.deadLetter,
    });
  }
  for (let i = 0; i < 6; i++) expect(stored.has(`before-${i} f`), `before-${i}`).toBe(true);
  for (const label of acked) {
    expect(stored.has(`${label} f`), `${label} for f`).toBe(true);
    expect(stored.has(`${label} g`), `${label} for g`).toBe(true);
  }
  expect(stored.get("before-0 f")).toEqual({ attempts: 1, deadLetter: undefined });
  expect(stored.get("before-1 f")).toEqual({ attempts: 1, deadLetter: { status: 400, fn: "f", attempts: 1 } });
  expect(stored.get("before-2 f")).toEqual({ attempts: 0, deadLetter: undefined });

  const invoked: Array<{ label: string; topic: string; fn: string; attempts: number }> = [];
  const deadLettered: string[] = [];
  const recorded = recordEvents();
  dispatcher = startDispatcher({
    queue,
    invoke: async (delivery) => {
      invoked.push({
        label: labelOf(delivery),
        topic: delivery.message.topic,
        fn: delivery.fn,
        attempts: delivery.attempts,
      });
      return answer(delivery, 200);
    },
    deadLetter: async (delivery) => {
      deadLettered.push(labelOf(delivery));
    },
    maxInflight: 16,
    maxAttempts: 5,
    retryMinMs: 1,
    retryMaxMs: 10,
    logger: recordingLogger(),
    events: recorded.events,
  });
  await recorded.waitForFinished(stored.size);

  expect(deadLettered).toEqual(["before-1"]);
  expect(invoked.some((call) => call.label === "before-1")).toBe(false);
  expect(invoked.find((call) => call.label === "before-0")?.attempts).toBe(1);
  expect(invoked.filter((call) => call.label === "before-2")).toHaveLength(1);
  expect(invoked).toHaveLength(stored.size - 1);
  // Per (topic, fn), the order of arrival survived the crash.
  const lanes = new Map<string, number[]>();
  for (const call of invoked.filter((entry) => entry.label.startsWith("during-"))) {
    const lane = `${call.topic} ${call.fn}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), Number(call.label.slice("during-".length))]);
  }
  expect(lanes.size).toBe(8);
  for (const [lane, numbers] of lanes) expect(numbers, lane).toEqual([...numbers].sort((a, b) => a - b));
});
