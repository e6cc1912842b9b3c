import { describe, expect, it } from "vitest";
import { parseRfc3339 } from "../../src/logs/rfc3339.js";

describe("parseRfc3339", () => {
  it("reads UTC and zone offsets as faas-cli sends them", () => {
    expect(parseRfc3339("2026-11-22T10:00:00Z")?.toISOString()).toBe("2026-11-22T10:00:00.000Z");
    expect(parseRfc3339("2026-11-22T11:30:00+01:30")?.toISOString()).toBe("2026-11-22T10:00:00.000Z");
    expect(parseRfc3339("2026-11-22T05:00:00-05:00")?.toISOString()).toBe("2026-11-22T10:00:00.000Z");
  });

  it("keeps milliseconds and rounds a finer fraction up to the next millisecond", () => {
    expect(parseRfc3339("2026-11-22T10:00:00.123Z")?.toISOString()).toBe("2026-11-22T10:00:00.123Z");
    expect(parseRfc3339("2026-11-22T10:00:00.123000000Z")?.toISOString()).toBe("2026-11-22T10:00:00.123Z");
    expect(parseRfc3339("2026-11-22T10:00:00.123000001Z")?.toISOString()).toBe("2026-11-22T10:00:00.124Z");
    expect(parseRfc3339("2026-11-22T10:00:00.5Z")?.toISOString()).toBe("2026-11-22T10:00:00.500Z");
  });

  it.each([
    "",
    "yesterday",
    "2026-11-22",
    "2026-11-22T10:00:00",
    "2026-11-22 10:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-13-01T10:00:00Z",
    "2026-11-22T24:00:00Z",
    "2026-11-22T10:00:60Z",
    "2026-11-22T10:00:00+1:00",
    "1732269600",
  ])("refuses %j", (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });
});
