import { ConfigError } from "@coffee-edge/node18-typescript/env";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("loadConfig", () => {
  it.each([
    [
      "defaults",
      {},
      {
        databaseUrl: "sqlite:data/inventory-check.db",
        secretMountPath: undefined,
        jwtIssuer: "coffee-edge",
        jwtAudience: "inventory-check",
      },
    ],
    [
      "a SQLite file",
      { DATABASE_URL: "sqlite:/var/lib/inventory.db" },
      { databaseUrl: "sqlite:/var/lib/inventory.db" },
    ],
    [
      "a PostgreSQL URL",
      { DATABASE_URL: "postgres://inventory@db:5432/edge" },
      { databaseUrl: "postgres://inventory@db:5432/edge" },
    ],
    ["an empty DATABASE_URL (the default)", { DATABASE_URL: " " }, { databaseUrl: "sqlite:data/inventory-check.db" }],
    ["the secrets folder", { secret_mount_path: "/run/secrets" }, { secretMountPath: "/run/secrets" }],
    ["the token issuer", { JWT_ISSUER: "hq" }, { jwtIssuer: "hq" }],
    ["the token audience", { JWT_AUDIENCE: "inventory" }, { jwtAudience: "inventory" }],
  ])("reads %s", (_label, env, expected) => {
    expect(loadConfig(env)).toMatchObject(expected);
  });

  it.each([
    ["another database", "mysql://root:hunter2@db/edge"],
    ["a bare path", "data/inventory.db"],
    ["sqlite: without a path", "sqlite:"],
  ])("refuses %s, naming DATABASE_URL and never the password", (_label, value) => {
    let failure: unknown;
    try {
      loadConfig({ DATABASE_URL: value });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ConfigError);
    expect(String(failure)).toContain("DATABASE_URL");
    expect(String(failure)).not.toContain("hunter2");
  });
});
