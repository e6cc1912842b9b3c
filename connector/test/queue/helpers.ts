import { fileURLToPath } from "node:url";
import { tempQueueFile as tempFileWithPrefix, waitUntil } from "../../../gateway/test/support/queue-test-kit.js";
import type { InvokerResponse } from "../../src/core/invoker.js";
import type { DispatcherEvents } from "../../src/mqtt/queue/dispatcher.js";
import type { DeadLetterReason, QueuedDelivery, ReceivedMessage } from "../../src/mqtt/queue/received-message.js";

export {
  type Deferred,
  deferred,
  type LogLine,
  recordingLogger,
  removeTempDirs,
} from "../../../gateway/test/support/queue-test-kit.js";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** How long a test waits for the dispatcher before failing, far under vitest's 20 s. */
export const WAIT_MS = 8000;

/** A queue file path in a fresh temp folder (the folder itself is not created: the queue must create it). */
export function tempQueueFile(): Promise<string> {
  return tempFileWithPrefix("coffee-edge-mqtt-queue-");
}

/** A message whose payload says where it came from, so a test can tell deliveries apart. */
export function makeMessage(
  topic: string,
  label: string | number,
  extra: Partial<ReceivedMessage> = {},
): ReceivedMessage {
  return { topic, payload: Buffer.from(String(label)), receivedAt: Date.now(), ...extra };
}

export function labelOf(delivery: QueuedDelivery): string {
  return delivery.message.payload.toString();
}

/** A function's answer as the invoker would give it. */
export function answer(
  delivery: QueuedDelivery,
  status: number,
  headers: Record<string, string> = {},
  error?: Error,
): InvokerResponse {
  return {
    topic: delivery.message.topic,
    fn: delivery.fn,
    status,
    headers,
    body: Buffer.from(`answer ${status}`),
    durationMs: 1,
    ...(error === undefined ? {} : { error }),
  };
}

/** Resolves once `done()` holds, checking on every `notify()`; rejects after WAIT_MS. No polling, no sleeping. */
export class Condition {
  #waiters: Array<() => void> = [];

  notify(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  waitFor(done: () => boolean, what: () => string): Promise<void> {
    return waitUntil(done, (wake) => this.#waiters.push(wake), what, WAIT_MS);
  }
}

export interface RecordedEvents {
  readonly events: Required<DispatcherEvents>;
  readonly invoked: Array<{ fn: string; status: number | "error" }>;
  readonly retried: Array<{ fn: string; status: number | "error" }>;
  readonly deadLettered: Array<{ fn: string; reason: DeadLetterReason }>;
  readonly finished: string[];
  /** Notified on every event. */
  readonly changed: Condition;
  waitForFinished(count: number): Promise<void>;
}

/** Records the dispatcher's events, so a test waits for deliveries to finish instead of sleeping. */
export function recordEvents(): RecordedEvents {
  const changed = new Condition();
  const recorded: Omit<RecordedEvents, "events" | "changed" | "waitForFinished"> = {
    invoked: [],
    retried: [],
    deadLettered: [],
    finished: [],
  };
  return {
    ...recorded,
    changed,
    events: {
      invoked: (fn, status) => {
        recorded.invoked.push({ fn, status });
        changed.notify();
      },
      retried: (fn, status) => {
        recorded.retried.push({ fn, status });
        changed.notify();
      },
      deadLettered: (fn, reason) => {
        recorded.deadLettered.push({ fn, reason });
        changed.notify();
      },
      finished: (fn) => {
        recorded.finished.push(fn);
        changed.notify();
      },
    },
    waitForFinished: (count) =>
      changed.waitFor(
        () => recorded.finished.length >= count,
        () => `${count} finished deliveries (got ${recorded.finished.length})`,
      ),
  };
}

/** Lets pending promise callbacks and immediates run. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
