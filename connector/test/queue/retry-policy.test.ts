import { describe, expect, it } from "vitest";
import { isRetryableStatus, isSuccessStatus, retryAfterMs, retryDelayMs } from "../../src/mqtt/queue/retry-policy.js";

describe("retry policy", () => {
  it.each([
    [0, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [599, true],
    [200, false],
    [202, false],
    [301, false],
    [400, false],
    [404, false],
    [408, false],
    [413, false],
  ])("status %i retryable: %s", (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });

  it("takes only 2xx as success", () => {
    expect([199, 200, 202, 204, 299, 300, 0].map(isSuccessStatus)).toEqual([
      false,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it("grows the jitter's ceiling exponentially from retryMinMs up to retryMaxMs", () => {
    const bounds = { retryMinMs: 100, retryMaxMs: 1000 };
    const lowest = (failures: number) => retryDelayMs(failures, bounds, () => 0);
    const highest = (failures: number) => retryDelayMs(failures, bounds, () => 0.999999);
    expect([1, 2, 3, 4, 5, 60].map(lowest)).toEqual([100, 100, 100, 100, 100, 100]);
    expect([1, 2, 3, 4, 5, 60].map(highest)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(retryDelayMs(3, bounds, () => 0.5)).toBe(250);
  });

  it("takes Retry-After as a floor, never above retryMaxMs", () => {
    const bounds = { retryMinMs: 10, retryMaxMs: 5000 };
    expect(retryDelayMs(1, bounds, () => 0, 2000)).toBe(2000);
    expect(retryDelayMs(1, bounds, () => 0, 60_000)).toBe(5000);
    expect(retryDelayMs(4, bounds, () => 0.999999, 0)).toBe(80);
  });

  it("reads Retry-After as seconds or an HTTP-date, in any letter case", () => {
    const now = Date.parse("2025-03-01T12:00:00Z");
    expect(retryAfterMs({ "retry-after": "3" }, now)).toBe(3000);
    expect(retryAfterMs({ "Retry-After": " 0 " }, now)).toBe(0);
    expect(retryAfterMs({ "retry-after": ["7", "9"] }, now)).toBe(7000);
    expect(retryAfterMs({ "retry-after": "Sat, 01 Mar 2025 12:00:05 GMT" }, now)).toBe(5000);
    expect(retryAfterMs({ "retry-after": "Sat, 01 Mar 2025 11:00:00 GMT" }, now)).toBe(0);
  });

  it.each([
    [{}],
    [{ "retry-after": "" }],
    [{ "retry-after": "-5" }],
    [{ "retry-after": "1.5" }],
    [{ "retry-after": "soon" }],
    [{ "retry-after": undefined }],
  ])("ignores an absent or unreadable Retry-After: %j", (headers) => {
    expect(retryAfterMs(headers, Date.now())).toBeUndefined();
  });
});
