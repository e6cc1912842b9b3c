import { describe, expect, it } from "vitest";
import { isRetryableStatus, retryAfterMs, retryDelayMs } from "../../src/async/retry-policy.js";

const bounds = { retryMinMs: 100, retryMaxMs: 1000 };

describe("retryDelayMs", () => {
  it("grows the ceiling exponentially from retryMinMs up to retryMaxMs, with full jitter below it", () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, bounds, undefined, () => 0.999999));
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
    for (const attempt of [1, 3, 6]) expect(retryDelayMs(attempt, bounds, undefined, () => 0)).toBe(100);
    expect(retryDelayMs(3, bounds, undefined, () => 0.5)).toBe(250);
  });

  it("treats Retry-After as a floor, capped at retryMaxMs", () => {
    expect(retryDelayMs(1, bounds, 600, () => 0)).toBe(600);
    expect(retryDelayMs(1, bounds, 3_600_000, () => 0)).toBe(1000);
    expect(retryDelayMs(4, bounds, 10, () => 0.999999)).toBe(800);
  });
});

describe("retryAfterMs", () => {
  it("reads delay-seconds and HTTP-dates, whatever the header's case", () => {
    expect(retryAfterMs([["Retry-After", "2"]], 0)).toBe(2000);
    expect(retryAfterMs([["retry-after", " 0 "]], 0)).toBe(0);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(retryAfterMs([["RETRY-AFTER", "Wed, 01 Jan 2025 00:00:03 GMT"]], now)).toBe(3000);
    expect(retryAfterMs([["Retry-After", "Tue, 31 Dec 2024 00:00:00 GMT"]], now)).toBe(0);
  });

  it("ignores a missing or unreadable value", () => {
    expect(retryAfterMs([["Content-Type", "text/plain"]], 0)).toBeUndefined();
    expect(retryAfterMs([["Retry-After", "soon"]], 0)).toBeUndefined();
    expect(retryAfterMs([["Retry-After", "-5"]], 0)).toBeUndefined();
  });
});

it("retries exactly 429, 502, 503 and 504", () => {
  const statuses = [200, 400, 404, 408, 429, 500, 501, 502, 503, 504, 505];
  expect(statuses.filter(isRetryableStatus)).toEqual([429, 502, 503, 504]);
});
