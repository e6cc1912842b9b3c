import { ConfigError } from "@coffee-edge/node18-typescript/env";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it.each([
    { case: "the default", env: {}, maxInputPixels: 50_000_000 },
    { case: "an empty value as the default", env: { MAX_INPUT_PIXELS: "" }, maxInputPixels: 50_000_000 },
    { case: "an override", env: { MAX_INPUT_PIXELS: "12000000" }, maxInputPixels: 12_000_000 },
    { case: "the smallest limit", env: { MAX_INPUT_PIXELS: "1" }, maxInputPixels: 1 },
  ])("reads $case", ({ env, maxInputPixels }) => {
    expect(loadConfig(env)).toEqual({ maxInputPixels });
  });

  it.each([
    { case: "a word", value: "lots" },
    { case: "zero (sharp would read it as no limit)", value: "0" },
    { case: "a negative number", value: "-5" },
    { case: "a fraction", value: "1.5" },
    { case: "more than a gigapixel", value: "1000000001" },
  ])("refuses $case, naming MAX_INPUT_PIXELS", ({ value }) => {
    let caught: unknown;
    try {
      loadConfig({ MAX_INPUT_PIXELS: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe("MAX_INPUT_PIXELS");
  });
});
