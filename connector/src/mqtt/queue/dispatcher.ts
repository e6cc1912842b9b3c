import { performance } from "node:perf_hooks";
import type { InvokerResponse } from "../../core/invoker.js";
import { LaneScheduler, NEXT, type StepOutcome } from "./lane-scheduler.js";
import type { DeliveryRef, MessageQueue } from "./message-queue.js";
import type { DeadLetterReason, QueuedDelivery } from "./received-message.js";
import { createRemovalBatch } from "./removal-batch.js";
import { isRetryableStatus, isSuccessStatus, retryAfterMs, retryDelayMs } from "./retry-policy.js";

export type { DeadLetterReason, QueuedDelivery } from "./received-message.js";

export interface DispatcherLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Hooks the connector turns into metrics. `status` is "error" when the function gave no answer (status 0). */
export interface DispatcherEvents {
  invoked?(fn: string, status: number | "error", ms: number): void;
  retried?(fn: string, status: number | "error"): void;
  deadLettered?(fn: string, reason: DeadLetterReason): void;
  /** The delivery is done with (answered 2xx, or dead-lettered) and its row is being deleted. */
  finished?(fn: string): void;
}

export interface DispatcherOptions {
  readonly queue: MessageQueue;
  /** Expected to resolve with status 0 rather than reject; a rejection is taken as status 0. */
  readonly invoke: (delivery: QueuedDelivery) => Promise<InvokerResponse>;
  /** Invocations (and dead-letter or response publishes) at once, over all (topic, fn) pairs. */
  readonly maxInflight: number;
  /** Invocation attempts in total, the first included. */
  readonly maxAttempts: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** Publishes the delivery to the dead-letter topic; a rejection keeps the delivery for another try. */
  readonly deadLetter: (delivery: QueuedDelivery, reason: DeadLetterReason) => Promise<void>;
  /** Publishes a 2xx answer; a rejection is logged and not retried. */
  readonly respond?: (delivery: QueuedDelivery, response: InvokerResponse) => Promise<void>;
  readonly logger: DispatcherLogger;
  readonly events?: DispatcherEvents;
  /** Epoch ms; the clock of `next attempt` times and Retry-After dates. */
  readonly now?: () => number;
  /** The jitter's random source in [0, 1). */
  readonly random?: () => number;
}

export interface Dispatcher {
  /** Looks for work soon (the queue's enqueue hook already does). */
  wake(): void;
  /**
   * Starts nothing new and waits up to graceMs for the running steps. What still runs then is left alone: its
   * outcome writes nothing, the delivery stays stored and runs again after a restart. The caller may close the
   * queue once this resolves.
   */
  stop(graceMs: number): Promise<void>;
  /** Deliveries not finished. */
  depth(): number;
  /** Resolves once depth() < limit: the connector awaits it before enqueueing, so a flood stalls MQTT intake. */
  waitForRoom(limit: number): Promise<void>;
  /** Steps running now: invocations, and the dead-letter and response publishes that follow them. */
  readonly inflight: number;
}

/** Longer than this, an error message is cut: it goes to logs and dead letters, not to debugging sessions. */
const MAX_ERROR_LENGTH = 300;
/** The least wait after the queue itself failed (disk full, I/O error): retrying at once would only spin. */
const MIN_STORAGE_RETRY_MS = 1000;

/**
 * Takes deliveries from the queue and invokes them, one (topic, fn) lane at a time in arrival order, lanes
 * concurrently. 2xx → respond → delete; 429/5xx/no answer → retried with backoff up to maxAttempts; anything
 * else, or the last retryable failure → dead letter → delete. The dead-letter decision is stored before the dead
 * letter is sent, so a delivery whose dead letter fails (or whose process dies) is never invoked again.
 */
export function startDispatcher(options: DispatcherOptions): Dispatcher {
  checkOptions(options);
  const { queue, invoke, maxAttempts, logger, events = {} } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const storageRetryMs = Math.max(options.retryMaxMs, MIN_STORAGE_RETRY_MS);
  /** Failed dead-letter publishes of a lane head, for its backoff. In memory only: a restart starts afresh. */
  const deadLetterFailures = new Map<number, number>();
  let abandoned = false;
  let stopped = false;

  const removals = createRemovalBatch(queue, storageRetryMs, (error, waiting) => {
    logger.warn("finished deliveries not deleted yet; trying again", { deliveries: waiting, error: describe(error) });
  });

  const safely = (hook: () => void): void => {
    try {
      hook();
    } catch {
      // A metrics hook must not change what happens to a delivery.
    }
  };

  const finish = (delivery: QueuedDelivery): StepOutcome => {
    deadLetterFailures.delete(delivery.id);
    removals.add(delivery.id);
    safely(() => events.finished?.(delivery.fn));
    return NEXT;
  };

  const step = async (ref: DeliveryRef): Promise<StepOutcome> => {
    const stored = queue.load(ref.id);
    if (stored === undefined) {
      logger.warn("queued delivery vanished from the queue; skipped", fields(ref));
      return NEXT;
    }
    // Set by a retry before a restart: the wait still applies.
    const dueInMs = stored.nextAttemptAt - now();
    if (dueInMs > 0) return { kind: "wait", delayMs: dueInMs };
    if (stored.deadLetter !== undefined) return sendDeadLetter(stored.delivery, stored.deadLetter);
    return invokeOnce(stored.delivery);
  };

  const invokeOnce = async (delivery: QueuedDelivery): Promise<StepOutcome> => {
    const attempt = delivery.attempts + 1;
    const started = performance.now();
    const response = await invokeSafely(invoke, delivery);
    const elapsedMs = performance.now() - started;
    if (abandoned) return NEXT;
    const status = response.status === 0 ? "error" : response.status;
    const error = response.status === 0 ? describe(response.error ?? "no answer") : undefined;
    safely(() => events.invoked?.(delivery.fn, status, elapsedMs));

    if (isSuccessStatus(response.status)) {
      if (options.respond !== undefined) {
        try {
          await options.respond(delivery, response);
        } catch (publishError) {
          logger.warn("response not published", { ...fields(delivery), status, error: describe(publishError) });
        }
        if (abandoned) return NEXT;
      }
      return finish(delivery);
    }

    if (isRetryableStatus(response.status) && attempt < maxAttempts) {
      const wished = response.status === 0 ? undefined : retryAfterMs(response.headers, now());
      const delayMs = retryDelayMs(attempt, options, random, wished);
      queue.recordRetry(delivery.id, attempt, now() + delayMs);
      logger.warn("invocation retried", {
        ...fields(delivery),
        status,
        attempt,
        maxAttempts,
        delayMs,
        ...(error === undefined ? {} : { error }),
      });
      safely(() => events.retried?.(delivery.fn, status));
      return { kind: "wait", delayMs };
    }

    const reason: DeadLetterReason = {
      status,
      fn: delivery.fn,
      attempts: attempt,
      ...(error === undefined ? {} : { error }),
    };
    // Stored first: from here on the delivery only awaits its dead letter, even across a crash.
    queue.recordDeadLetter(delivery.id, reason, 0);
    return sendDeadLetter({ ...delivery, attempts: attempt }, reason);
  };

  const sendDeadLetter = async (delivery: QueuedDelivery, reason: DeadLetterReason): Promise<StepOutcome> => {
    try {
      await options.deadLetter(delivery, reason);
    } catch (publishError) {
      if (abandoned) return NEXT;
      const failures = (deadLetterFailures.get(delivery.id) ?? 0) + 1;
      deadLetterFailures.set(delivery.id, failures);
      const delayMs = retryDelayMs(failures, options, random);
      queue.recordDeadLetter(delivery.id, reason, now() + delayMs);
      logger.warn("dead letter not published; trying again later", {
        ...fields(delivery),
        status: reason.status,
        attempts: reason.attempts,
        failures,
        delayMs,
        error: describe(publishError),
      });
      return { kind: "wait", delayMs };
    }
    if (abandoned) return NEXT;
    logger.warn("delivery dead-lettered", { ...fields(delivery), status: reason.status, attempts: reason.attempts });
    safely(() => events.deadLettered?.(delivery.fn, reason));
    return finish(delivery);
  };

  const scheduler = new LaneScheduler({
    maxInflight: options.maxInflight,
    errorDelayMs: storageRetryMs,
    run: async (ref) => {
      try {
        return await step(ref);
      } catch (error) {
        // Typically the queue could not be read or written (disk full): the delivery stays stored; try it again.
        if (!abandoned) {
          logger.warn("delivery step failed; trying again later", { ...fields(ref), error: describe(error) });
        }
        return { kind: "wait", delayMs: storageRetryMs };
      }
    },
  });

  const unsubscribe = queue.onEnqueued((added) => {
    for (const ref of added) scheduler.add(ref);
  });
  const resumed = queue.pending();
  for (const ref of resumed) scheduler.add(ref);
  if (resumed.length > 0) logger.info("resuming deliveries stored before this start", { deliveries: resumed.length });

  return {
    wake: () => scheduler.wake(),
    async stop(graceMs) {
      if (stopped) return;
      stopped = true;
      unsubscribe();
      const stillRunning = await scheduler.stop(graceMs);
      abandoned = true;
      if (stillRunning > 0) {
        logger.warn("dispatcher stopped with deliveries still running; they run again after a restart", {
          deliveries: stillRunning,
        });
      }
      removals.close();
    },
    depth: () => queue.depth() - removals.waiting,
    waitForRoom: (limit) => queue.waitForRoom(limit),
    get inflight() {
      return scheduler.inflight;
    },
  };
}

async function invokeSafely(invoke: DispatcherOptions["invoke"], delivery: QueuedDelivery): Promise<InvokerResponse> {
  const started = performance.now();
  try {
    return await invoke(delivery);
  } catch (error) {
    return {
      topic: delivery.message.topic,
      fn: delivery.fn,
      status: 0,
      headers: {},
      body: Buffer.alloc(0),
      error: error instanceof Error ? error : new Error(String(error)),
      durationMs: performance.now() - started,
    };
  }
}

/** What a log line may say about a delivery: never the payload or header values. */
function fields(delivery: QueuedDelivery | DeliveryRef): Record<string, unknown> {
  const topic = "message" in delivery ? delivery.message.topic : delivery.topic;
  return { topic, function: delivery.fn, delivery: delivery.id };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > MAX_ERROR_LENGTH ? `${message.slice(0, MAX_ERROR_LENGTH)}...` : message;
}

function checkOptions(options: DispatcherOptions): void {
  for (const [name, value] of Object.entries({ maxInflight: options.maxInflight, maxAttempts: options.maxAttempts })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
    }
  }
  if (!Number.isFinite(options.retryMinMs) || options.retryMinMs < 0) {
    throw new RangeError(`retryMinMs must be >= 0, got ${options.retryMinMs}`);
  }
  if (!Number.isFinite(options.retryMaxMs) || options.retryMaxMs < options.retryMinMs) {
    throw new RangeError(`retryMaxMs must be >= retryMinMs, got ${options.retryMaxMs}`);
  }
}
