import { describe, expect, it } from "vitest";
import { readScalePolicy, SCALE_DEFAULTS } from "../../src/runtime/scale-policy.js";

describe("readScalePolicy", () => {
  it("uses OpenFaaS's defaults (max: CE's 5) when no label is set", () => {
    expect(readScalePolicy({}, 30_000)).toEqual({
      min: 1,
      max: 5,
      target: 50,
      zero: false,
      zeroDurationMs: 15 * 60_000,
      downWindowMs: 30_000,
    });
  });

  it("reads every label as OpenFaaS writes them: strings", () => {
    expect(
      readScalePolicy(
        {
          "com.openfaas.scale.min": "2",
          "com.openfaas.scale.max": "4",
          "com.openfaas.scale.target": "10",
          "com.openfaas.scale.zero": "true",
          "com.openfaas.scale.zero-duration": "2m30s",
          "com.openfaas.scale.down.window": "45s",
        },
        30_000,
      ),
    ).toEqual({ min: 2, max: 4, target: 10, zero: true, zeroDurationMs: 150_000, downWindowMs: 45_000 });
  });

  it("falls back to the default for a value it cannot read, and says so", () => {
    const warnings: string[] = [];
    const policy = readScalePolicy(
      {
        "com.openfaas.scale.min": "0",
        "com.openfaas.scale.max": "many",
        "com.openfaas.scale.zero": "yes",
        "com.openfaas.scale.zero-duration": "soon",
      },
      30_000,
      (message) => warnings.push(message),
    );
    expect(policy).toMatchObject({
      min: SCALE_DEFAULTS.min,
      max: SCALE_DEFAULTS.max,
      zero: false,
      zeroDurationMs: SCALE_DEFAULTS.zeroDurationMs,
    });
    expect(warnings).toHaveLength(4);
    expect(warnings.join("\n")).toMatch(/com\.openfaas\.scale\.min: expected a whole number ≥ 1, got "0"/);
    expect(warnings.join("\n")).toMatch(/com\.openfaas\.scale\.zero: expected "true" or "false", got "yes"/);
  });

  it("never lets max fall below min", () => {
    expect(readScalePolicy({ "com.openfaas.scale.min": "3", "com.openfaas.scale.max": "2" }, 0)).toMatchObject({
      min: 3,
      max: 3,
    });
  });
});
