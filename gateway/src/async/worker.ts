import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { PROBLEM_TYPE_BASE } from "../http/problem.js";
import type { AcceptedCall, Invoke, InvokeResult } from "./accepted-call.js";
import type { AsyncQueue, ClaimedJob, JobEnd, RecordedInvocation } from "./async-queue.js";
import { type CallbackAgents, callbackHeaders, postCallback } from "./callback-request.js";
import { isRetryableStatus, retryAfterMs, retryDelayMs } from "./retry-policy.js";

export interface AsyncLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Hooks the gateway turns into Prometheus counters. */
export interface AsyncEvents {
  retried?(fn: string, what: "invoke" | "callback", status: number | "error"): void;
  finished?(fn: string, state: "done" | "failed"): void;
}

export interface AsyncWorkerOptions {
  readonly queue: AsyncQueue;
  readonly invoke: Invoke;
  /** Jobs run at once. */
  readonly concurrency: number;
  /** Attempts in total, for the invocation and (separately) for the callback. */
  readonly maxAttempts: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly callbackTimeoutMs: number;
  readonly logger: AsyncLogger;
  readonly events?: AsyncEvents;
  readonly now?: () => number;
  /** The jitter's random source in [0, 1). */
  readonly random?: () => number;
}

export interface AsyncWorker {
  /** Looks for due jobs soon (the queue already calls it after each accept commit). */
  wake(): void;
  /**
   * Claims nothing new and waits up to graceMs for the running jobs. Jobs still running then stay "running" in
   * the queue (they run again after a restart) and nothing more is written for them: the caller may close the
   * queue once this resolves.
   */
  stop(graceMs: number): Promise<void>;
  /** Jobs running now. */
  readonly active: number;
}

/**
 * How a job ends (what `recent()` shows):
 * - "done": the function gave a definitive answer (any status but 429/502/503/504, including 4xx and 500: the
 *   function ran and `status` says how it went) and, when there is a callback URL, the receiver answered 2xx;
 * - "failed": every invocation attempt was retryable or threw (the function never really answered), or the
 *   callback could not be delivered (a non-2xx final answer, recorded as callbackStatus, or no answer at all).
 * A callback is sent even after the invocation attempts ran out, carrying the last status, so the caller learns
 * the outcome; such a job is still "failed".
 * Attempts count outcomes: an attempt cut short by a crash is not counted, and the job runs again after restart.
 */
export function startAsyncWorker(options: AsyncWorkerOptions): AsyncWorker {
  checkOptions(options);
  const { queue, invoke, concurrency, maxAttempts, callbackTimeoutMs, logger, events = {} } = options;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const running = new Map<number, Promise<void>>();
  const abandon = new AbortController();
  const agents: CallbackAgents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  let stopping = false;
  let wakeScheduled: NodeJS.Immediate | undefined;
  let dueTimer: NodeJS.Timeout | undefined;

  const safely = (hook: () => void): void => {
    try {
      hook();
    } catch {
      // A metrics hook must not change what happens to a job.
    }
  };

  const pump = (): void => {
    if (stopping) return;
    clearTimeout(dueTimer);
    dueTimer = undefined;
    try {
      for (const job of queue.claimDue(now(), concurrency - running.size)) start(job);
      // Only a free slot needs the timer; a finishing job pumps again anyway.
      if (running.size < concurrency) scheduleNextDue();
    } catch (error) {
      logger.warn("async queue unreadable; trying again later", { error: describe(error) });
      armTimer(options.retryMaxMs);
    }
  };

  const scheduleNextDue = (): void => {
    const due = queue.nextDueAt();
    if (due !== undefined) armTimer(due - now());
  };

  const armTimer = (delayMs: number): void => {
    dueTimer = setTimeout(pump, Math.max(0, delayMs));
    // The gateway's server keeps the process alive; a pending retry alone must not.
    dueTimer.unref();
  };

  const wake = (): void => {
    if (stopping) return;
    wakeScheduled ??= setImmediate(() => {
      wakeScheduled = undefined;
      pump();
    });
  };

  const start = (job: ClaimedJob): void => {
    const run = runJob(job)
      .catch((error: unknown) => {
        // Typically the queue could not be written: the job stays "running" on disk and runs again after restart.
        logger.warn("async job interrupted", { ...jobFields(job.call), error: describe(error) });
      })
      .finally(() => {
        running.delete(job.jobId);
        pump();
      });
    running.set(job.jobId, run);
  };

  const runJob = async (job: ClaimedJob): Promise<void> => {
    const invocation = job.invocation ?? (await invokeStep(job));
    if (invocation !== undefined) await callbackStep(job, invocation);
  };

  /** One invocation attempt; returns what the callback needs, or undefined when the job was retried or ended. */
  const invokeStep = async (job: ClaimedJob): Promise<RecordedInvocation | undefined> => {
    const { call } = job;
    const attempt = job.attempts + 1;
    const outcome = await invokeSafely(invoke, call);
    if (abandon.signal.aborted) return undefined;
    const { result } = outcome;
    const retryable = outcome.error !== undefined || isRetryableStatus(result.status);
    const problem =
      outcome.error !== undefined
        ? `invoke: ${outcome.error}`
        : retryable
          ? `invoke: status ${result.status}`
          : undefined;
    if (retryable && attempt < maxAttempts) {
      const delayMs = retryDelayMs(
        attempt,
        options,
        outcome.error === undefined ? retryAfterMs(result.headers, now()) : undefined,
        random,
      );
      queue.retryInvoke(job.jobId, { attempts: attempt, nextAttemptAt: now() + delayMs, lastError: problem ?? "" });
      logger.warn("async invoke retried", { ...jobFields(call), attempt, maxAttempts, problem, delayMs });
      safely(() =>
        events.retried?.(call.functionName, "invoke", outcome.error === undefined ? result.status : "error"),
      );
      return undefined;
    }
    const exhausted = retryable;
    if (call.callbackUrl === undefined) {
      end(job, {
        state: exhausted ? "failed" : "done",
        attempts: attempt,
        status: result.status,
        durationSeconds: result.durationSeconds,
        ...(problem === undefined ? {} : { lastError: problem }),
      });
      return undefined;
    }
    // Stored before the callback is attempted: a crash from here on re-sends the callback, never re-invokes.
    queue.recordInvocation(job.jobId, {
      attempts: attempt,
      result,
      exhausted,
      ...(problem === undefined ? {} : { lastError: problem }),
    });
    return { result, exhausted };
  };

  /** One callback attempt: retried, or the job ends. */
  const callbackStep = async (job: ClaimedJob, invocation: RecordedInvocation): Promise<void> => {
    const { call } = job;
    const { result } = invocation;
    const url = call.callbackUrl;
    if (url === undefined) {
      // Not reached (only calls with a callback store an invocation), but a job must never stay "running".
      end(job, { state: invocation.exhausted ? "failed" : "done" });
      return;
    }
    const attempt = job.callbackAttempts + 1;
    const outcome = await postCallback({
      url,
      headers: callbackHeaders(call, result),
      body: result.body,
      timeoutMs: callbackTimeoutMs,
      agents,
      signal: abandon.signal,
    });
    if (abandon.signal.aborted) return;
    const status = outcome.kind === "answered" ? outcome.status : undefined;
    const retryable = status === undefined || isRetryableStatus(status);
    const delivered = status !== undefined && status >= 200 && status < 300;
    const problem =
      outcome.kind === "unreachable"
        ? `callback: ${outcome.error}`
        : delivered
          ? undefined
          : `callback: status ${status}`;
    if (retryable && attempt < maxAttempts) {
      const delayMs = retryDelayMs(
        attempt,
        options,
        outcome.kind === "answered" ? retryAfterMs(outcome.headers, now()) : undefined,
        random,
      );
      queue.retryCallback(job.jobId, {
        callbackAttempts: attempt,
        nextAttemptAt: now() + delayMs,
        lastError: problem ?? "",
        ...(status === undefined ? {} : { callbackStatus: status }),
      });
      logger.warn("async callback retried", { ...jobFields(call), attempt, maxAttempts, problem, delayMs });
      safely(() => events.retried?.(call.functionName, "callback", status ?? "error"));
      return;
    }
    end(
      job,
      {
        state: delivered && !invocation.exhausted ? "done" : "failed",
        callbackAttempts: attempt,
        ...(status === undefined ? {} : { callbackStatus: status }),
        ...(problem === undefined ? {} : { lastError: problem }),
      },
      invocation.exhausted ? `invoke: status ${result.status} after ${maxAttempts} attempts` : undefined,
    );
  };

  const end = (job: ClaimedJob, outcome: Omit<JobEnd, "finishedAt">, earlierProblem?: string): void => {
    queue.finish(job.jobId, { ...outcome, finishedAt: now() });
    if (outcome.state === "failed") {
      logger.warn("async job failed", {
        ...jobFields(job.call),
        problem: outcome.lastError ?? earlierProblem,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        ...(outcome.callbackStatus === undefined ? {} : { callbackStatus: outcome.callbackStatus }),
      });
    }
    safely(() => events.finished?.(job.call.functionName, outcome.state));
  };

  const unsubscribe = queue.onAccepted(wake);
  if (queue.recoveredOnOpen > 0) {
    logger.info("async jobs interrupted by the last shutdown run again", { jobs: queue.recoveredOnOpen });
  }
  wake();

  return {
    wake,
    async stop(graceMs) {
      stopping = true;
      unsubscribe();
      if (wakeScheduled !== undefined) clearImmediate(wakeScheduled);
      wakeScheduled = undefined;
      clearTimeout(dueTimer);
      if (running.size > 0) {
        let graceTimer: NodeJS.Timeout | undefined;
        const graceOver = new Promise<void>((resolve) => {
          graceTimer = setTimeout(resolve, graceMs);
        });
        await Promise.race([Promise.allSettled(running.values()), graceOver]);
        clearTimeout(graceTimer);
      }
      if (running.size > 0) {
        logger.warn("async worker stopped with jobs still running; they run again after restart", {
          jobs: running.size,
        });
        abandon.abort();
      }
      agents.http.destroy();
      agents.https.destroy();
    },
    get active() {
      return running.size;
    },
  };
}

interface InvokeOutcome {
  readonly result: InvokeResult;
  /** Set when invoke threw; `result` is then the gateway's own 502. */
  readonly error?: string;
}

async function invokeSafely(invoke: Invoke, call: AcceptedCall): Promise<InvokeOutcome> {
  const started = performance.now();
  try {
    return { result: await invoke(call) };
  } catch (error) {
    return { result: invokeFailedResult((performance.now() - started) / 1000), error: describe(error) };
  }
}

/** What the callback carries when the invoker itself failed: a 502 problem, as the gateway answers its own errors. */
function invokeFailedResult(durationSeconds: number): InvokeResult {
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}async-invoke-failed`,
    title: "Bad Gateway",
    status: 502,
    detail: "the gateway could not invoke the function",
  });
  return {
    status: 502,
    headers: [["Content-Type", "application/problem+json"]],
    body: Buffer.from(body),
    durationSeconds,
  };
}

/** What a log line may say about a job: never bodies or header values (headers can carry tokens). */
function jobFields(call: AcceptedCall): Record<string, unknown> {
  return { callId: call.callId, function: call.functionName };
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 300 ? `${message.slice(0, 300)}...` : message;
}

function checkOptions(options: AsyncWorkerOptions): void {
  const wholeAtLeastOne = { concurrency: options.concurrency, maxAttempts: options.maxAttempts };
  for (const [name, value] of Object.entries(wholeAtLeastOne)) {
    if (!Number.isInteger(value) || value < 1)
      throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
  }
  if (!Number.isFinite(options.retryMinMs) || options.retryMinMs < 0) {
    throw new RangeError(`retryMinMs must be >= 0, got ${options.retryMinMs}`);
  }
  if (!Number.isFinite(options.retryMaxMs) || options.retryMaxMs < options.retryMinMs) {
    throw new RangeError(`retryMaxMs must be >= retryMinMs, got ${options.retryMaxMs}`);
  }
  if (!Number.isFinite(options.callbackTimeoutMs) || options.callbackTimeoutMs <= 0) {
    throw new RangeError(`callbackTimeoutMs must be > 0, got ${options.callbackTimeoutMs}`);
  }
}
