import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { DATABASE_URL_SECRET, databaseUrl } from "../../src/kit/store/index.js";

// On K3s the PostgreSQL URL (with its password) reaches a function as the `database-url` secret; on one machine and
// in tests it is DATABASE_URL. These cases pin which wins and what a bad secret says.

let secrets: string;
beforeEach(() => {
  secrets = mkdtempSync(join(tmpdir(), "database-url-"));
});
afterEach(() => {
  rmSync(secrets, { recursive: true, force: true });
});

const writeSecret = (value: string) => writeFileSync(join(secrets, DATABASE_URL_SECRET), value);

describe("databaseUrl", () => {
  it("is a SQLite file named after the function when neither the variable nor the secret is there", () => {
    expect(databaseUrl({ secret_mount_path: secrets }, "payment")).toBe("sqlite:data/payment.db");
  });

  it("reads the database-url secret from secret_mount_path, without the newline a file may end with", () => {
    writeSecret("postgres://coffee:pw@edge-postgres.openfaas:5432/coffee\n");
    expect(databaseUrl({ secret_mount_path: secrets }, "payment")).toBe(
      "postgres://coffee:pw@edge-postgres.openfaas:5432/coffee",
    );
  });

  it("lets DATABASE_URL override the secret", () => {
    writeSecret("postgres://coffee:pw@edge-postgres.openfaas:5432/coffee");
    expect(databaseUrl({ secret_mount_path: secrets, DATABASE_URL: "sqlite:elsewhere.db" }, "payment")).toBe(
      "sqlite:elsewhere.db",
    );
  });

  it.each([
    ["an empty secret", ""],
    ["a URL of another database", "mysql://root:hunter2@db/coffee"],
  ])("refuses %s with an error naming the secret, never its value", (_case, value) => {
    writeSecret(value);
    let failure: unknown;
    try {
      databaseUrl({ secret_mount_path: secrets }, "payment");
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ConfigError);
    expect(String(failure)).toMatch(/secret database-url/);
    expect(String(failure)).not.toMatch(/hunter2/);
  });
});
