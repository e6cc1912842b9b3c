import { ConfigError } from "@coffee-edge/node18-typescript/env";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("has defaults for everything", () => {
    expect(loadConfig({})).toEqual({
      dailyThreshold: 100,
      timeZone: "UTC",
      usageSinkUrl: undefined,
      alertWebhookUrl: undefined,
      databaseUrl: "sqlite:data/espresso-counter.db",
    });
  });

  it.each([
    ["DAILY_THRESHOLD", "250", { dailyThreshold: 250 }],
    ["STORE_TIMEZONE", "Europe/Paris", { timeZone: "Europe/Paris" }],
    ["USAGE_SINK_URL", "https://dash.example/usage", { usageSinkUrl: "https://dash.example/usage" }],
    ["ALERT_WEBHOOK_URL", "http://127.0.0.1:9/alerts", { alertWebhookUrl: "http://127.0.0.1:9/alerts" }],
    ["DATABASE_URL", "postgres://u@db:5432/edge", { databaseUrl: "postgres://u@db:5432/edge" }],
    ["USAGE_SINK_URL", "  ", { usageSinkUrl: undefined }],
  ])("reads %s=%j", (name, value, expected) => {
    expect(loadConfig({ [name]: value })).toMatchObject(expected);
  });

  it.each([
    ["DAILY_THRESHOLD", "0"],
    ["DAILY_THRESHOLD", "12.5"],
    ["DAILY_THRESHOLD", "many"],
    ["STORE_TIMEZONE", "Mars/Olympus_Mons"],
    ["USAGE_SINK_URL", "ftp://dash.example/usage"],
    ["ALERT_WEBHOOK_URL", "not a url"],
    ["DATABASE_URL", "mysql://db/edge"],
  ])("refuses %s=%j with a ConfigError naming it", (name, value) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(name);
  });
});
