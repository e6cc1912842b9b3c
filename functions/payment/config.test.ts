import { ConfigError } from "@coffee-edge/node18-typescript/env";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it.each([
    ["defaults", {}, { databaseUrl: "sqlite:data/payment.db", secretMountPath: undefined }],
    ["a SQLite file", { DATABASE_URL: "sqlite:/var/lib/payment.db" }, { databaseUrl: "sqlite:/var/lib/payment.db" }],
    [
      "a PostgreSQL URL",
      { DATABASE_URL: "postgres://pay:pw@db:5432/coffee" },
      { databaseUrl: "postgres://pay:pw@db:5432/coffee" },
    ],
    ["blank values as unset", { DATABASE_URL: "  ", secret_mount_path: "" }, { databaseUrl: "sqlite:data/payment.db" }],
    ["the secrets folder", { secret_mount_path: "/run/secrets" }, { secretMountPath: "/run/secrets" }],
  ])("reads %s", (_label, env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  it.each([
    ["an unknown scheme", "mysql://pay:hunter2@db/coffee"],
    ["sqlite without a path", "sqlite:"],
  ])("refuses DATABASE_URL with %s, naming the variable and never the password", (_label, url) => {
    let thrown: unknown;
    try {
      loadConfig({ DATABASE_URL: url });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe("DATABASE_URL");
    expect((thrown as Error).message).not.toContain("hunter2");
  });
});
