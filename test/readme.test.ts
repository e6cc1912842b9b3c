import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The variables a config module reads: `readX(env, "NAME")` calls and `env.NAME` accesses. */
function variablesReadBy(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  const names = [...source.matchAll(/read\w+\(env, "(\w+)"/g), ...source.matchAll(/\benv\.(\w+)/g)].map((m) => m[1]);
  return [...new Set(names)].filter((name): name is string => name !== undefined);
}

describe("README configuration table", () => {
  const shellVariables = variablesReadBy("template/node18-typescript/src/config.ts");

  it("finds the shell's variables in its config module", () => {
    expect(shellVariables).toEqual(expect.arrayContaining(["http_port", "RAW_BODY", "MAX_JSON_SIZE", "write_timeout"]));
  });

  it("documents every variable the shell reads, as a table row", () => {
    for (const name of shellVariables) {
      expect(readme, name).toMatch(new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, "m"));
    }
  });

  it("shows the two set-up commands", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});
