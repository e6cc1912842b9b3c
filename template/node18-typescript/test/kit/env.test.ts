import { describe, expect, it } from "vitest";
import {
  envByteSize,
  envChoice,
  envDuration,
  envInteger,
  envNumber,
  envString,
  envTimeZone,
  envUrl,
} from "../../src/kit/env.js";

describe("the kit's env readers", () => {
  it("fall back on unset or blank values", () => {
    expect(envString({ A: "  " }, "A", "d")).toBe("d");
    expect(envNumber({}, "N", 5)).toBe(5);
    expect(envInteger({ N: "" }, "N", 7)).toBe(7);
    expect(envUrl({}, "U")).toBeUndefined();
    expect(envTimeZone({}, "TZ", "UTC")).toBe("UTC");
  });

  it("parse good values", () => {
    expect(envNumber({ N: "0.5" }, "N", 0)).toBe(0.5);
    expect(envInteger({ N: "300" }, "N", 0, { min: 1 })).toBe(300);
    expect(envUrl({ U: "https://hq.example/hook" }, "U")).toBe("https://hq.example/hook");
    expect(envTimeZone({ Z: "Europe/Paris" }, "Z", "UTC")).toBe("Europe/Paris");
    expect(envChoice({ C: "f" }, "C", ["C", "F"] as const, "C")).toBe("F");
    expect(envDuration({}, "T", "1m30s")).toBe(90_000);
    expect(envDuration({ T: "15" }, "T", "1s")).toBe(15_000);
    expect(envByteSize({ S: "8mb" }, "S", "1kb")).toBe(8 * 1024 * 1024);
  });

  it("name the variable when a value cannot be used", () => {
    expect(() => envNumber({ MAX_TEMP_C: "warm" }, "MAX_TEMP_C", 5)).toThrow(/^MAX_TEMP_C: expected a number/);
    expect(() => envInteger({ N: "1.5" }, "N", 1)).toThrow(/^N: expected a whole number/);
    expect(() => envInteger({ N: "0" }, "N", 1, { min: 1 })).toThrow(/^N: must be at least 1/);
    expect(() => envUrl({ U: "ftp://x" }, "U")).toThrow(/^U: expected an http\(s\) URL/);
    expect(() => envUrl({ U: "not a url" }, "U")).toThrow(/^U: expected an absolute/);
    expect(() => envTimeZone({ Z: "Mars/Olympus" }, "Z", "UTC")).toThrow(/^Z: unknown time zone/);
    expect(() => envDuration({ T: "soon" }, "T", "1s")).toThrow(/^T: expected a duration/);
    expect(() => envDuration({ T: "0s" }, "T", "1s", { min: 1 })).toThrow(/^T: must be at least 1/);
    expect(() => envByteSize({ S: "big" }, "S", "1kb")).toThrow(/^S: expected a size/);
    expect(() => envChoice({ C: "K" }, "C", ["C", "F"] as const, "C")).toThrow(/^C: expected one of C, F/);
  });
});
