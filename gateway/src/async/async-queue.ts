// What the queue offers the worker, the route and the dashboard; queue-store.ts implements it on SQLite.
import type { AcceptedCall, InvokeResult } from "./accepted-call.js";

export type AsyncJobState = "queued" | "running" | "retrying" | "done" | "failed";

/** A job as the dashboard sees it: no bodies, no header values (headers can carry tokens). */
export interface AsyncJobView {
  readonly callId: string;
  readonly functionName: string;
  readonly state: AsyncJobState;
  /** Invoked already; only the callback is left (queued, running or retrying). */
  readonly awaitingCallback: boolean;
  /** Invocations that got an outcome (an answer or a thrown error). */
  readonly attempts: number;
  /** The function's final status, once known. */
  readonly status?: number;
  /** The callback URL, with any password in it masked. */
  readonly callbackUrl?: string;
  readonly callbackStatus?: number;
  readonly callbackAttempts: number;
  readonly acceptedAt: number;
  /** When a retrying job is due again (epoch ms). */
  readonly nextAttemptAt?: number;
  readonly finishedAt?: number;
  /** The most recent problem, kept even when a later attempt succeeded. */
  readonly lastError?: string;
}

/** What an invocation left for the callback: stored before the callback is attempted. */
export interface RecordedInvocation {
  readonly result: InvokeResult;
  /** Every attempt was retryable (429/502/503/504) or threw: the function never gave a definitive answer. */
  readonly exhausted: boolean;
}

/** A job the worker claimed: the database shows it "running" until the worker records what happened. */
export interface ClaimedJob {
  readonly jobId: number;
  readonly call: AcceptedCall;
  readonly attempts: number;
  readonly callbackAttempts: number;
  /** Present when the function was invoked already: only the callback is left. */
  readonly invocation?: RecordedInvocation;
}

export interface InvokeRetry {
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string;
}

export interface InvocationRecord extends RecordedInvocation {
  readonly attempts: number;
  readonly lastError?: string;
}

export interface CallbackRetry {
  readonly callbackAttempts: number;
  readonly callbackStatus?: number;
  readonly nextAttemptAt: number;
  readonly lastError: string;
}

export interface JobEnd {
  readonly state: "done" | "failed";
  readonly finishedAt: number;
  /** The invocation's outcome, when the job ends right after it (no callback). */
  readonly attempts?: number;
  readonly status?: number;
  readonly durationSeconds?: number;
  readonly callbackAttempts?: number;
  readonly callbackStatus?: number;
  readonly lastError?: string;
}

export interface AsyncQueueStats {
  /** Transactions that committed accepted calls (group commit: far fewer than the calls). */
  readonly acceptCommits: number;
  readonly acceptedCalls: number;
}

export interface AsyncQueue {
  /** Resolves only once the call is committed to disk; calls accepted in one event-loop turn share a commit. */
  accept(call: AcceptedCall): Promise<void>;
  /** Called after each commit of accepted calls (the worker wakes on it); returns the unsubscribe function. */
  onAccepted(listener: () => void): () => void;
  /** Marks up to `limit` due jobs "running", first accepted first, skipping those whose retry is not yet due. */
  claimDue(now: number, limit: number): ClaimedJob[];
  /** The earliest time a queued or retrying job becomes due (epoch ms), undefined when none waits. */
  nextDueAt(): number | undefined;
  /** Puts a claimed job back to wait for another invocation. */
  retryInvoke(jobId: number, retry: InvokeRetry): void;
  /** Stores the final invocation result of a claimed job that still has its callback to send; it stays running. */
  recordInvocation(jobId: number, record: InvocationRecord): void;
  /** Puts a claimed job back to wait for another callback attempt. */
  retryCallback(jobId: number, retry: CallbackRetry): void;
  /** Ends a claimed job; its bodies and headers are dropped, and old finished jobs are pruned. */
  finish(jobId: number, end: JobEnd): void;
  /** Jobs not yet finished: queued, running, retrying, awaiting their callback. */
  depth(): number;
  /** The newest `limit` jobs, newest first. */
  recent(limit: number): AsyncJobView[];
  stats(): AsyncQueueStats;
  /** Jobs a killed process had left "running", put back to "queued" when this queue opened. */
  readonly recoveredOnOpen: number;
  /** Commits calls still waiting for their group commit, then closes the file. */
  close(): void;
}
