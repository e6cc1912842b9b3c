import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { orderValidator } from "./schema.js";
import { assertTotalsAddUp } from "./totals.js";

// The README is checked like code: its example must be an order the function accepts, and its configuration
// table must name exactly the variables the function reads.
const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");

describe("README", () => {
  it("shows an example order the function accepts", () => {
    const example = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const order = orderValidator.parse(JSON.parse(example as string));
    expect(() => assertTotalsAddUp(order)).not.toThrow();
  });

  it("documents every configuration variable with its default", () => {
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)`\s*\| `([^`]*)`\s*\|/gm)].map((row) => [row[1], row[2]]);
    const defaults = loadConfig({});
    expect(rows).toEqual([
      ["RECEIPT_TIME_ZONE", defaults.timeZone],
      ["RECEIPT_LOCALE", defaults.locale],
    ]);
    for (const [name] of rows) {
      expect(() => loadConfig({ [name as string]: "not/valid value!" })).toThrow(name as string);
    }
  });
});
