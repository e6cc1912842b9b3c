import { ConfigError } from "@coffee-edge/node18-typescript/env";
import { describe, expect, it } from "vitest";
import { type FridgeConfig, loadConfig } from "./config.js";

const defaults: FridgeConfig = {
  defaultUnit: "C",
  thresholds: { maxTempC: 5, criticalTempC: 8, sustainSeconds: 300, hysteresisC: 0.5 },
  staleAfterSeconds: 900,
  alertWebhookUrl: undefined,
};

describe("loadConfig", () => {
  it.each<[string, Record<string, string>, FridgeConfig]>([
    ["defaults when nothing is set", {}, defaults],
    [
      "defaults when every variable is empty, as stack.yml's empty defaults leave them",
      { ALERT_WEBHOOK_URL: "", DEFAULT_UNIT: "" },
      defaults,
    ],
    ["DEFAULT_UNIT=F", { DEFAULT_UNIT: "F" }, { ...defaults, defaultUnit: "F" }],
    ["DEFAULT_UNIT in lower case", { DEFAULT_UNIT: "f" }, { ...defaults, defaultUnit: "F" }],
    [
      "every threshold overridden",
      { MAX_TEMP_C: "4", CRITICAL_TEMP_C: "7.5", SUSTAIN_SECONDS: "60", HYSTERESIS_C: "1" },
      { ...defaults, thresholds: { maxTempC: 4, criticalTempC: 7.5, sustainSeconds: 60, hysteresisC: 1 } },
    ],
    [
      "SUSTAIN_SECONDS=0 warns at the first breach",
      { SUSTAIN_SECONDS: "0" },
      { ...defaults, thresholds: { ...defaults.thresholds, sustainSeconds: 0 } },
    ],
    ["STALE_AFTER_SECONDS", { STALE_AFTER_SECONDS: "1800" }, { ...defaults, staleAfterSeconds: 1800 }],
    [
      "ALERT_WEBHOOK_URL",
      { ALERT_WEBHOOK_URL: "https://alerts.example/hook" },
      { ...defaults, alertWebhookUrl: "https://alerts.example/hook" },
    ],
  ])("%s", (_name, env, expected) => {
    expect(loadConfig(env)).toEqual(expected);
  });

  it.each<[string, Record<string, string>, string]>([
    ["a unit other than C or F", { DEFAULT_UNIT: "K" }, "DEFAULT_UNIT"],
    ["a MAX_TEMP_C that is not a number", { MAX_TEMP_C: "five" }, "MAX_TEMP_C"],
    ["a MAX_TEMP_C no fridge can have", { MAX_TEMP_C: "100" }, "MAX_TEMP_C"],
    ["CRITICAL_TEMP_C equal to MAX_TEMP_C", { MAX_TEMP_C: "5", CRITICAL_TEMP_C: "5" }, "CRITICAL_TEMP_C"],
    ["CRITICAL_TEMP_C below MAX_TEMP_C", { MAX_TEMP_C: "6", CRITICAL_TEMP_C: "5" }, "CRITICAL_TEMP_C"],
    ["a fractional SUSTAIN_SECONDS", { SUSTAIN_SECONDS: "1.5" }, "SUSTAIN_SECONDS"],
    ["a negative SUSTAIN_SECONDS", { SUSTAIN_SECONDS: "-1" }, "SUSTAIN_SECONDS"],
    ["a negative HYSTERESIS_C", { HYSTERESIS_C: "-0.5" }, "HYSTERESIS_C"],
    ["a STALE_AFTER_SECONDS shorter than a minute", { STALE_AFTER_SECONDS: "10" }, "STALE_AFTER_SECONDS"],
    ["an ALERT_WEBHOOK_URL that is not a URL", { ALERT_WEBHOOK_URL: "alerts" }, "ALERT_WEBHOOK_URL"],
    ["an ALERT_WEBHOOK_URL that is not http(s)", { ALERT_WEBHOOK_URL: "ftp://alerts.example/" }, "ALERT_WEBHOOK_URL"],
  ])("refuses %s, naming the variable", (_name, env, variable) => {
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
  });
});
