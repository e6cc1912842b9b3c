import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { databaseUrl } from "@coffee-edge/node18-typescript/store";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { FUNCTION_NAME } from "./fridge-store.js";

const folder = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(folder, "README.md"), "utf8");
const configurationSection = readme.slice(readme.indexOf("## Configuration"), readme.indexOf("## Testing"));
const configSource = readFileSync(join(folder, "config.ts"), "utf8");

/** The configuration table's rows: variable → documented default (undefined for "unset"). */
const documented = new Map(
  [...configurationSection.matchAll(/^\|\s*`(\w+)`\s*\|\s*([^|]*?)\s*\|/gm)].map((match) => {
    const fallback = /^`(.*)`$/.exec(match[2] ?? "")?.[1];
    return [match[1] as string, fallback] as const;
  }),
);

describe("the README's configuration table", () => {
  const read = [...configSource.matchAll(/env\w+\(env, "(\w+)"/g)].map((match) => match[1] as string);

  it("lists every variable config.ts reads, and DATABASE_URL, and no other", () => {
    expect(read).toContain("MAX_TEMP_C");
    expect([...documented.keys()].sort()).toEqual([...read, "DATABASE_URL"].sort());
  });

  it("states the defaults the code applies", () => {
    for (const [variable, fallback] of documented) {
      if (variable === "DATABASE_URL") {
        expect(fallback).toBe(databaseUrl({}, FUNCTION_NAME));
      } else if (fallback === undefined) {
        expect(loadConfig({ [variable]: "" }), variable).toEqual(loadConfig({}));
      } else {
        expect(loadConfig({ [variable]: fallback }), variable).toEqual(loadConfig({}));
      }
    }
  });
});
