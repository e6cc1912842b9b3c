/** An HTTP-date as RFC 9110 requires senders to write it, e.g. "Sun, 06 Nov 1994 08:49:37 GMT". */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export interface RetryBounds {
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

export function isSuccessStatus(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Worth another attempt: 429 (busy), any 5xx (a function scaling from zero answers 502/503 for a while) and 0
 * (no answer at all: timeout or connection error). Everything else is the function's final word.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait after `failuresSoFar` (>= 1) failures: exponential backoff with full jitter, uniformly between
 * retryMinMs and min(retryMaxMs, retryMinMs * 2^(failuresSoFar - 1)), so deliveries that failed together do not
 * all come back together. `retryAfterMs` (the other side's own wish) raises the wait, never above retryMaxMs.
 */
export function retryDelayMs(
  failuresSoFar: number,
  bounds: RetryBounds,
  random: () => number,
  retryAfterMs?: number,
): number {
  const { retryMinMs, retryMaxMs } = bounds;
  const exponent = Math.min(Math.max(0, failuresSoFar - 1), 52);
  const ceiling = Math.min(retryMaxMs, retryMinMs * 2 ** exponent);
  const jittered = retryMinMs + random() * Math.max(0, ceiling - retryMinMs);
  return Math.round(Math.min(retryMaxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** The Retry-After of a response in ms from `now` (delay-seconds or an HTTP-date), undefined when absent or unreadable. */
export function retryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now: number,
): number | undefined {
  // undici gives lower-case names; a hand-made response may not.
  const name = Object.keys(headers).find((key) => key.toLowerCase() === "retry-after");
  const raw = name === undefined ? undefined : headers[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!HTTP_DATE.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
