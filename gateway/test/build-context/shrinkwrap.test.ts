import { chmod, readdir, readFile, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBuildContext } from "../../src/build-context/shrinkwrap.js";
import { makeTempDir, removeTempDirs, writeTree } from "./helpers.js";

afterEach(removeTempDirs);

/** Lists every file under `root` (relative, sorted), following the tree as written. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe("createBuildContext (faas-cli build --shrinkwrap)", () => {
  let project: string;
  let out: string;

  beforeEach(async () => {
    project = await makeTempDir("project-");
    out = path.join(project, "build", "echo");
    await writeTree(project, {
      "template/lang/Dockerfile": "FROM scratch\n",
      "template/lang/template.yml": "language: lang\n",
      "template/lang/index.ts": "shell\n",
      "template/lang/function/handler.ts": "template handler\n",
      "template/lang/function/package.json": "template package\n",
      "template/lang/function/kept.txt": "template only\n",
      "echo/handler.ts": "user handler\n",
      "echo/lib/util.ts": "user util\n",
      "echo/build/stale.txt": "faas-cli output\n",
      "echo/template/x.txt": "templates pulled into the handler\n",
      "echo/nested/build/keep.txt": "only top-level build is skipped\n",
      "common/shared.ts": "shared\n",
      "common/deep/more.ts": "more\n",
    });
  });

  const build = (copy: string[] = []) =>
    createBuildContext({
      projectDir: project,
      templateDir: path.join(project, "template/lang"),
      handlerDir: path.join(project, "echo"),
      copy,
      outDir: out,
    });

  it("copies the whole template and overlays the handler on function/", async () => {
    await expect(build()).resolves.toBe(out);
    expect(await listFiles(out)).toEqual([
      "Dockerfile",
      "function/handler.ts",
      "function/kept.txt",
      "function/lib/util.ts",
      "function/nested/build/keep.txt",
      "function/package.json",
      "index.ts",
      "template.yml",
    ]);
    expect(await readFile(path.join(out, "function/handler.ts"), "utf8")).toBe("user handler\n");
    expect(await readFile(path.join(out, "function/kept.txt"), "utf8")).toBe("template only\n");
    expect(await readFile(path.join(out, "function/package.json"), "utf8")).toBe("template package\n");
  });

  it("skips the handler's top-level build and template entries only", async () => {
    await build();
    const names = await readdir(path.join(out, "function"));
    expect(names).not.toContain("build");
    expect(names).not.toContain("template");
    expect(await readFile(path.join(out, "function/nested/build/keep.txt"), "utf8")).toContain("only top-level");
  });

  it("removes what a previous build left", async () => {
    await writeTree(out, { "leftover.txt": "old" });
    await build();
    await expect(stat(path.join(out, "leftover.txt"))).rejects.toThrow(/ENOENT/);
  });

  it("copies configuration.copy paths to function/<path>", async () => {
    await build(["./common", "common/shared.ts"]);
    expect(await readFile(path.join(out, "function/common/shared.ts"), "utf8")).toBe("shared\n");
    expect(await readFile(path.join(out, "function/common/deep/more.ts"), "utf8")).toBe("more\n");
  });

  it("rejects a copy path outside the project", async () => {
    await expect(build(["../elsewhere"])).rejects.toThrow(/copy path "\.\.\/elsewhere" is outside the project/);
  });

  it("rejects a copy path equal to the project", async () => {
    await expect(build(["."])).rejects.toThrow(/is the whole project/);
  });

  it("rejects an out folder that would delete the sources", async () => {
    await expect(
      createBuildContext({
        projectDir: project,
        templateDir: path.join(project, "template/lang"),
        handlerDir: path.join(project, "echo"),
        outDir: project,
      }),
    ).rejects.toThrow(/overlaps the project folder/);
    await expect(
      createBuildContext({
        projectDir: project,
        templateDir: path.join(project, "template/lang"),
        handlerDir: path.join(project, "echo"),
        outDir: path.join(project, "echo", "out"),
      }),
    ).rejects.toThrow(/overlaps the handler folder/);
  });

  it("copies the target of a symlink, not the link (faas-cli stats, never lstats)", async () => {
    await symlink(path.join(project, "common/shared.ts"), path.join(project, "echo/linked.ts"));
    await build();
    const copied = path.join(out, "function/linked.ts");
    expect((await stat(copied)).isFile()).toBe(true);
    expect(await readFile(copied, "utf8")).toBe("shared\n");
  });

  it("keeps permission bits, as faas-cli does", async () => {
    await chmod(path.join(project, "echo/handler.ts"), 0o750);
    await build();
    expect((await stat(path.join(out, "function/handler.ts"))).mode & 0o777).toBe(0o750);
  });

  it("fails clearly when the handler folder is missing", async () => {
    await expect(
      createBuildContext({
        projectDir: project,
        templateDir: path.join(project, "template/lang"),
        handlerDir: path.join(project, "nope"),
        outDir: out,
      }),
    ).rejects.toThrow(/cannot read the handler folder/);
  });
});
