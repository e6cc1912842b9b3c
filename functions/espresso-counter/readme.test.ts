import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const folder = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(folder, "README.md"), "utf8");
const configSource = readFileSync(join(folder, "config.ts"), "utf8");

describe("README", () => {
  const variables = [...configSource.matchAll(/env\w+\(env, "(\w+)"/g)].map((match) => match[1] as string);

  it("finds the variables config.ts reads", () => {
    expect(variables).toEqual(
      expect.arrayContaining(["DAILY_THRESHOLD", "STORE_TIMEZONE", "USAGE_SINK_URL", "ALERT_WEBHOOK_URL"]),
    );
  });

  it("documents every variable config.ts reads, and DATABASE_URL, as a table row", () => {
    for (const name of [...variables, "DATABASE_URL"]) {
      expect(readme, name).toMatch(new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, "m"));
    }
  });
});
