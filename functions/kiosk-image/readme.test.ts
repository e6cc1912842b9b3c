import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_INPUT_PIXELS, loadConfig } from "./config.js";
import { MAX_WIDTH } from "./output-options.js";

// The README is checked like code: its defaults and bounds are the ones the function applies.
const readme = readFileSync(new URL("./README.md", import.meta.url), "utf8");

describe("README", () => {
  it("states the pixel limit's default and the function's own variable", () => {
    const row = /^\| `MAX_INPUT_PIXELS`\s*\| `(\d+)`/m.exec(readme);
    expect(Number(row?.[1])).toBe(DEFAULT_MAX_INPUT_PIXELS);
    expect(loadConfig({})).toEqual({ maxInputPixels: DEFAULT_MAX_INPUT_PIXELS });
  });

  it("states the width bounds", () => {
    expect(readme).toContain(`whole pixels \`1\`–\`${MAX_WIDTH}\``);
  });
});
