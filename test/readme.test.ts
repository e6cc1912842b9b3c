import { readdirSync, readFileSync } from "node:fs";
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

  it("documents every variable a function's config.ts names, and every stack.yml environment key", () => {
    const functionsDir = join(root, "functions");
    const names = new Set<string>();
    for (const fn of readdirSync(functionsDir)) {
      const source = readFileSync(join(functionsDir, fn, "config.ts"), "utf8");
      for (const match of source.matchAll(/"([A-Z][A-Z0-9_]{3,})"/g)) names.add(match[1] as string);
    }
    const stack = readFileSync(join(root, "stack.yml"), "utf8");
    for (const match of stack.matchAll(/^ {6}([A-Za-z_][A-Za-z0-9_]*): /gm)) {
      if (!match[1]?.startsWith("com.openfaas") && !["topic", "schedule", "memory", "cpu"].includes(match[1] as string))
        names.add(match[1] as string);
    }
    expect(names.size).toBeGreaterThan(15);
    for (const name of names) expect(readme, name).toMatch(new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, "m"));
  });

  it("documents every variable coffee-edge up reads, as a table row", () => {
    const source = readFileSync(join(root, "gateway/src/config.ts"), "utf8");
    const names = [...source.matchAll(/env\w+\(env, "(\w+)"/g)].map((match) => match[1] as string);
    expect(names).toEqual(expect.arrayContaining(["GATEWAY_PORT", "DATA_DIR", "MQTT_PORT"]));
    for (const name of names) expect(readme, name).toMatch(new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`, "m"));
  });

  it("shows the two set-up commands", () => {
    expect(readme).toContain("npm install && npm start");
    expect(readme).toContain("npm test");
  });
});
