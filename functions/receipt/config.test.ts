import { ConfigError } from "@coffee-edge/node18-typescript/env";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it.each([
    { case: "defaults", env: {}, expected: { timeZone: "UTC", locale: "en-US" } },
    {
      case: "empty values mean the default",
      env: { RECEIPT_TIME_ZONE: " ", RECEIPT_LOCALE: "" },
      expected: { timeZone: "UTC", locale: "en-US" },
    },
    {
      case: "a time zone",
      env: { RECEIPT_TIME_ZONE: "Europe/Paris" },
      expected: { timeZone: "Europe/Paris", locale: "en-US" },
    },
    {
      case: "a locale, canonicalised",
      env: { RECEIPT_LOCALE: "fr-fr" },
      expected: { timeZone: "UTC", locale: "fr-FR" },
    },
  ])("reads $case", ({ env, expected }) => {
    expect(loadConfig(env)).toEqual(expected);
  });

  it.each([
    { case: "an unknown time zone", env: { RECEIPT_TIME_ZONE: "Mars/Olympus" }, variable: "RECEIPT_TIME_ZONE" },
    { case: "an ill-formed locale", env: { RECEIPT_LOCALE: "not a locale!" }, variable: "RECEIPT_LOCALE" },
  ])("refuses $case, naming the variable", ({ env, variable }) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
  });
});
