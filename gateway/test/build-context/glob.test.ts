import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyDockerignore } from "../../src/build-context/dockerignore.js";
import { expandGlob, segmentMatcher } from "../../src/build-context/glob.js";
import { makeTempDir, removeTempDirs, writeTree } from "./helpers.js";

afterEach(removeTempDirs);

describe("segmentMatcher (Go's filepath.Match, one segment)", () => {
  const cases: [pattern: string, name: string, matches: boolean][] = [
    ["package*.json", "package.json", true],
    ["package*.json", "package-lock.json", true],
    ["package*.json", "package.jsonx", false],
    ["*", ".hidden", true],
    ["?.ts", "a.ts", true],
    ["?.ts", "ab.ts", false],
    ["[ab].ts", "b.ts", true],
    ["[^ab].ts", "b.ts", false],
    ["a.b", "axb", false],
    ["\\*", "*", true],
  ];
  for (const [pattern, name, matches] of cases) {
    it(`${pattern} ${matches ? "matches" : "does not match"} ${name}`, () => {
      expect(segmentMatcher(pattern).test(name)).toBe(matches);
    });
  }
});

describe("expandGlob", () => {
  it("expands wildcards segment by segment and keeps only what exists", async () => {
    const root = await makeTempDir("glob-");
    await writeTree(root, { "function/package.json": "", "function/package-lock.json": "", "function/x.json": "" });
    expect(await expandGlob(root, "function/package*.json")).toEqual([
      "function/package-lock.json",
      "function/package.json",
    ]);
    expect(await expandGlob(root, "./function/")).toEqual(["function"]);
    expect(await expandGlob(root, "*/x.json")).toEqual(["function/x.json"]);
    expect(await expandGlob(root, "missing.json")).toEqual([]);
    expect(await expandGlob(root, ".")).toEqual(["."]);
  });
});

describe("applyDockerignore", () => {
  it("removes matches anchored at the root, never the Dockerfile or .dockerignore", async () => {
    const ctx = await makeTempDir("ignore-");
    await writeTree(ctx, {
      ".dockerignore": "# comment\n\n/dist/\n*/node_modules\nDockerfile\n.dockerignore\n",
      Dockerfile: "FROM a\n",
      "dist/a.js": "",
      "function/dist/b.js": "",
      "function/node_modules/c.js": "",
      "function/deep/node_modules/d.js": "",
    });
    expect(await applyDockerignore(ctx)).toEqual(["dist", "function/node_modules"]);
    expect(await expandGlob(ctx, "function/*")).toEqual(["function/deep", "function/dist"]);
    expect(await expandGlob(ctx, "Dockerfile")).toEqual(["Dockerfile"]);
  });

  it("refuses exceptions and ** rather than half-support them", async () => {
    const ctx = await makeTempDir("ignore-");
    await writeTree(ctx, { ".dockerignore": "node_modules\n!node_modules/keep\n" });
    await expect(applyDockerignore(ctx)).rejects.toThrow(
      `${path.join(ctx, ".dockerignore")}:2: "!node_modules/keep" uses ! or **`,
    );
  });
});
