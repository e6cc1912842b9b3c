import { lstat, mkdir, readdir, readFile, readlink, symlink } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runBuildStage } from "../../src/build-context/build-stage.js";
import { performCopy } from "../../src/build-context/copy-into.js";
import { findStage, type Instruction, parseDockerfile } from "../../src/build-context/dockerfile.js";
import { captured, makeTempDir, removeTempDirs, writeTree } from "./helpers.js";

afterEach(removeTempDirs);

// A Dockerfile whose context is not laid out like its /home/app (a repository root, as connector/Dockerfile's):
// the build stage runs in an empty folder and its COPYs are performed in order.
const DOCKERFILE = `FROM node:20-alpine AS build
WORKDIR /home/app
RUN apk add --no-cache make
COPY pkg/manifest.json ./package.json
COPY pkg/lib lib/
RUN test ! -e src && seen=$(ls -A) && echo "$seen" > before.txt
COPY pkg/src pkg/extra.txt src/
RUN ls -A > after.txt && ls -A src > src.txt
`;

async function setUp(dockerfile = DOCKERFILE) {
  const root = await makeTempDir("copy-mode-");
  const context = path.join(root, "context");
  const stageDir = path.join(root, "stage");
  await writeTree(context, {
    "pkg/manifest.json": "{}\n",
    "pkg/lib/a.js": "a\n",
    "pkg/lib/deep/b.js": "b\n",
    "pkg/src/main.ts": "main\n",
    "pkg/extra.txt": "extra\n",
    "unrelated/file.txt": "not copied\n",
  });
  await mkdir(stageDir);
  const stage = findStage(parseDockerfile(dockerfile), "build");
  if (stage === undefined) throw new Error("no build stage");
  return { context, stageDir, stage };
}

const skipApk = (instruction: Extract<Instruction, { kind: "RUN" }>) =>
  instruction.text.startsWith("RUN apk ") ? "the host has it" : undefined;

describe("runBuildStage with copyFrom", () => {
  it("starts empty and performs each COPY in its turn, from the context into the paths the Dockerfile names", async () => {
    const { context, stageDir, stage } = await setUp();
    const stdout = captured();
    await runBuildStage(stageDir, stage, {
      hostEnv: process.env,
      output: { stdout, stderr: captured() },
      copyFrom: context,
      skipRun: skipApk,
    });
    expect(await readFile(path.join(stageDir, "package.json"), "utf8")).toBe("{}\n");
    expect(await readFile(path.join(stageDir, "lib/deep/b.js"), "utf8")).toBe("b\n");
    // A step sees only what the COPYs before it brought, as in Docker.
    expect((await readFile(path.join(stageDir, "before.txt"), "utf8")).split("\n")).toEqual([
      "lib",
      "package.json",
      "",
    ]);
    expect(await readFile(path.join(stageDir, "src.txt"), "utf8")).toBe("extra.txt\nmain.ts\n");
    expect((await readdir(stageDir)).sort()).toEqual([
      "after.txt",
      "before.txt",
      "lib",
      "package.json",
      "src",
      "src.txt",
    ]);
    expect(stdout.text()).toContain("[build 3/8] RUN apk add --no-cache make  (the host has it)");
  });

  it("checks every COPY before the first step runs", async () => {
    const { context, stageDir, stage } = await setUp(`${DOCKERFILE}COPY pkg/missing.txt ./\n`);
    const run = runBuildStage(stageDir, stage, {
      hostEnv: process.env,
      output: { stdout: captured(), stderr: captured() },
      copyFrom: context,
      skipRun: skipApk,
    });
    await expect(run).rejects.toThrow(/COPY pkg\/missing.txt \.\/: pkg\/missing.txt matches nothing in the context/);
    expect(await readdir(stageDir)).toEqual([]);
  });
});

describe("performCopy", () => {
  const copyOf = (line: string) => {
    const [instruction] = (findStage(parseDockerfile(`FROM scratch AS s\n${line}\n`), "s")?.instructions ??
      []) as Instruction[];
    if (instruction?.kind !== "COPY") throw new Error(`not a COPY: ${line}`);
    return instruction;
  };

  it("copies a single file to the name dest gives it, or into dest when dest is a folder", async () => {
    const { context, stageDir } = await setUp();
    const origin = { kind: "context", dir: context } as const;
    await performCopy(copyOf("COPY pkg/extra.txt renamed.txt"), origin, stageDir, "/home/app");
    await performCopy(copyOf("COPY pkg/extra.txt /home/app/into/"), origin, stageDir, "/home/app");
    await performCopy(copyOf("COPY pkg/*.json ."), origin, stageDir, "/home/app/sub");
    expect(await readFile(path.join(stageDir, "renamed.txt"), "utf8")).toBe("extra\n");
    expect(await readFile(path.join(stageDir, "into/extra.txt"), "utf8")).toBe("extra\n");
    expect(await readFile(path.join(stageDir, "sub/manifest.json"), "utf8")).toBe("{}\n");
  });

  it("copies from another stage's folder by absolute path, keeping symlinks inside a folder as they are", async () => {
    const { context, stageDir } = await setUp();
    await symlink("../lib", path.join(context, "pkg/src/link"));
    const target = path.join(path.dirname(stageDir), "final");
    const origin = { kind: "stage", dir: context } as const;
    await performCopy(copyOf("COPY --from=build /home/app/pkg/src ./code"), origin, target, "/home/app");
    expect((await lstat(path.join(target, "code/link"))).isSymbolicLink()).toBe(true);
    expect(await readlink(path.join(target, "code/link"))).toBe("../lib");
    await expect(performCopy(copyOf("COPY --from=build /etc/passwd ./"), origin, target, "/home/app")).rejects.toThrow(
      /outside \/home\/app/,
    );
  });

  it("refuses what Docker refuses or the native build cannot do", async () => {
    const { context, stageDir } = await setUp();
    const origin = { kind: "context", dir: context } as const;
    await expect(performCopy(copyOf("COPY pkg/a pkg/b dest"), origin, stageDir, "/home/app")).rejects.toThrow(
      /destination must end in \//,
    );
    await expect(
      performCopy(copyOf("COPY --chmod=600 pkg/extra.txt ./"), origin, stageDir, "/home/app"),
    ).rejects.toThrow(/--chmod is not supported natively/);
    await expect(performCopy(copyOf("COPY ../outside ./"), origin, stageDir, "/home/app")).rejects.toThrow(
      /outside the build context/,
    );
  });
});
