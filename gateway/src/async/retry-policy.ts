/** The answers that mean "try again later" (the function or receiver is busy, starting, or unreachable). */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/** e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 5.6.7). */
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

export interface BackoffOptions {
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
}

/**
 * The wait before the attempt after `attemptsSoFar` (>= 1): exponential backoff with full jitter, i.e. a random
 * wait between retryMinMs and min(retryMaxMs, retryMinMs * 2^(attemptsSoFar - 1)), so many jobs failing together
 * do not come back together. A Retry-After from the other side is a floor, still capped at retryMaxMs: a busy
 * receiver cannot park a job for an hour.
 */
export function retryDelayMs(
  attemptsSoFar: number,
  options: BackoffOptions,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const { retryMinMs, retryMaxMs } = options;
  const ceiling = Math.min(retryMaxMs, retryMinMs * 2 ** Math.max(0, attemptsSoFar - 1));
  const jittered = retryMinMs + random() * Math.max(0, ceiling - retryMinMs);
  return Math.round(Math.min(retryMaxMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** A Retry-After header (delay-seconds, or an HTTP-date) as ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(headers: ReadonlyArray<readonly [string, string]>, now: number): number | undefined {
  const value = headers.find(([name]) => name.toLowerCase() === "retry-after")?.[1].trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only the IMF-fixdate senders must use: Date.parse alone would read "-5" as a date in 2001.
  if (!IMF_FIXDATE.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
