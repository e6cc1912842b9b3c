import { setTimeout as sleep } from "node:timers/promises";
import type { Publisher } from "./publisher.js";
import type { SimulatedMessage } from "./scenario.js";
import type { SimulationStats } from "./stats.js";

/** Real time, for pacing: a monotonic `now()` in ms and an abortable sleep. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
};

export interface RunOptions {
  readonly messages: Iterable<SimulatedMessage>;
  /** The virtual time of the first message: message times are paced against real time from here. */
  readonly startAt: number;
  readonly durationMs?: number;
  readonly count?: number;
  readonly publisher: Publisher;
  readonly stats: SimulationStats;
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  /**
   * Publishes awaiting the broker's acknowledgement at most; beyond it the run waits, so a slow or vanished
   * broker slows the simulation down instead of piling messages up in memory.
   */
  readonly maxInFlight?: number;
  /** Told once about the first failed publish (later ones only count). */
  readonly onPublishError?: (reason: string) => void;
}

export interface RunResult {
  /** Messages handed to the publisher. */
  readonly started: number;
  /** Stopped by the signal rather than by --count, --duration. */
  readonly aborted: boolean;
}

/**
 * Publishes the messages, each when it is due (its virtual time, mapped onto real time), until `count`
 * messages, `durationMs` of virtual time or the signal. Returns without waiting for the publishes still in
 * flight: the publisher's close waits for them, for a bounded time (a vanished broker never answers).
 */
export async function runSimulation(options: RunOptions): Promise<RunResult> {
  const { publisher, stats, signal, clock = systemClock } = options;
  const maxInFlight = options.maxInFlight ?? 1000;
  const realStart = clock.now();
  const pending = new Set<Promise<void>>();
  const aborted = abortPromise(signal);
  let reportedError = false;
  let started = 0;

  for (const message of options.messages) {
    if (signal.aborted) break;
    if (options.count !== undefined && started >= options.count) break;
    if (options.durationMs !== undefined && message.at - options.startAt >= options.durationMs) break;
    const wait = realStart + (message.at - options.startAt) - clock.now();
    if (wait > 0) await clock.sleep(wait, signal);
    while (pending.size >= maxInFlight && !signal.aborted) await Promise.race([...pending, aborted]);
    if (signal.aborted) break;
    const publish: Promise<void> = publisher.publish(message.topic, message.payload).then(
      () => stats.record(message),
      (error: unknown) => {
        stats.recordFailure();
        if (!reportedError) options.onPublishError?.(error instanceof Error ? error.message : String(error));
        reportedError = true;
      },
    );
    const tracked = publish.finally(() => pending.delete(tracked));
    pending.add(tracked);
    started++;
  }
  return { started, aborted: signal.aborted };
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
