import { setTimeout as sleep } from "node:timers/promises";

export interface DeliveryOptions {
  /** Attempts in all, the first included. */
  readonly attempts?: number;
  /** The first retry waits about this long; each next one twice as long, with full jitter. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per attempt. */
  readonly timeoutMs?: number;
  readonly headers?: Record<string, string>;
  /** Injected in tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

export interface Delivered {
  readonly status: number;
  readonly attempts: number;
}

/** A delivery that did not succeed: the last status (or none, for a network failure) and the attempts made. */
export class DeliveryError extends Error {
  constructor(
    readonly url: string,
    readonly attempts: number,
    readonly status: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `POST ${new URL(url).origin} failed after ${attempts} attempt(s)${status ? ` (last status ${status})` : ""}`,
      options,
    );
    this.name = "DeliveryError";
  }
}

/**
 * POSTs a JSON document to a webhook (an alert receiver, the central usage sink). Network errors,
 * timeouts, 408, 429 and 5xx are retried with exponential backoff and full jitter; any other answer is
 * final. Resolves on 2xx; rejects with DeliveryError otherwise. Receivers deduplicate with the
 * `Idempotency-Key` header the caller sets, since a retry may follow a delivery whose answer was lost.
 */
export async function postJson(url: string, document: unknown, options: DeliveryOptions = {}): Promise<Delivered> {
  const attempts = Math.max(1, options.attempts ?? 4);
  const base = options.baseDelayMs ?? 250;
  const cap = options.maxDelayMs ?? 5000;
  const doFetch = options.fetch ?? fetch;
  const wait = options.sleep ?? sleep;
  const body = JSON.stringify(document);
  let lastStatus: number | undefined;
  let lastError: unknown;
  let made = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    made = attempt;
    try {
      const response = await doFetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...options.headers },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      await response.arrayBuffer().catch(() => undefined);
      lastStatus = response.status;
      if (response.ok) return { status: response.status, attempts: attempt };
      if (!isRetryable(response.status)) break;
    } catch (error) {
      lastError = error;
      lastStatus = undefined;
    }
    if (attempt < attempts) await wait(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
  }
  throw new DeliveryError(url, made, lastStatus, { cause: lastError });
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
