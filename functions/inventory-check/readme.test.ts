import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

// The README's configuration table is checked against config.ts, so the two cannot drift apart.

const folder = dirname(fileURLToPath(import.meta.url));
// Compiled tests run from dist/; the sources sit one level up there.
const sourceFolder = folder.endsWith("dist") ? dirname(folder) : folder;
const readme = readFileSync(join(sourceFolder, "README.md"), "utf8");
const configSource = readFileSync(join(sourceFolder, "config.ts"), "utf8");

const documented = [...readme.matchAll(/^\|\s*`(\w+)`\s*\|/gm)].map((match) => match[1] as string);
// `databaseUrl(env, …)` is the kit's reader of DATABASE_URL (and of the database-url secret).
const read = [...configSource.matchAll(/\(env, "(\w+)"|databaseUrl\(env/g)].map((match) => match[1] ?? "DATABASE_URL");

describe("the README configuration table", () => {
  it("documents exactly the variables config.ts reads", () => {
    expect(read.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual([...read].sort());
  });

  it.each(documented)("lists %s, which changes the configuration when set", (name) => {
    const value = name === "DATABASE_URL" ? "sqlite:elsewhere.db" : "/elsewhere";
    expect(loadConfig({ [name]: value })).not.toEqual(loadConfig({}));
  });
});
