import { copyFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILD_TIMEOUT_MS, buildAndStart, expectEcho, runCli, SAMPLE_HANDLER, useBuiltCli } from "./e2e-support.js";
import { makeTempDir, writeTree } from "./helpers.js";

// The template's own sample, and a handler whose test fails. The stack's functions are built by
// stack-functions-*.e2e.test.ts, split in two files so that vitest builds them in parallel.

useBuiltCli();

describe("npm run build:context, end to end", () => {
  it(
    "builds the template's sample handler, which then answers a real HTTP request",
    async () => {
      const fn = await buildAndStart("echo", ["--name", "echo", "--handler", SAMPLE_HANDLER]);
      await expectEcho(fn);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    "fails the build, naming the npm test step, when the handler's test fails",
    async () => {
      const handler = await makeTempDir("failing-handler-");
      await copyFile(path.join(SAMPLE_HANDLER, "package.json"), path.join(handler, "package.json"));
      await copyFile(path.join(SAMPLE_HANDLER, "tsconfig.json"), path.join(handler, "tsconfig.json"));
      await writeTree(handler, {
        "handler.ts": "export default async () => ({ ok: true });\n",
        "handler.test.ts": [
          'import { expect, it } from "vitest";',
          'it("fails on purpose", () => {',
          "  expect(1 + 1).toBe(3);",
          "});",
          "",
        ].join("\n"),
      });
      const out = path.join(await makeTempDir("e2e-"), "failing");
      const result = await runCli(["--name", "failing", "--handler", handler, "--out", out]);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(result.stderr).toMatch(/build step failed: "RUN npm test" \(Dockerfile line \d+\) exited with code 1/);
      expect(result.stdout).toContain("fails on purpose");
    },
    BUILD_TIMEOUT_MS,
  );
});
