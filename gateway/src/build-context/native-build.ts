import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import type { Env } from "../stack/envsubst.js";
import { runBuildStage } from "./build-stage.js";
import { APP_HOME, checkBuildOutputCopy, checkContextCopy } from "./copy-check.js";
import { type Dockerfile, finalStage, findStage, parseDockerfile, type Stage, stageEnv } from "./dockerfile.js";
import { applyDockerignore } from "./dockerignore.js";
import { BuildContextError } from "./errors.js";
import { type Toolchain, toolchainEnv } from "./toolchain.js";

export { type RunningFunction, type StartOptions, startBuiltFunction } from "./start-function.js";

export interface NativeBuildOptions {
  /** The environment RUN steps start from (see build-stage.ts for what is left out); `process.env` by default. */
  readonly hostEnv?: Env;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** The context's Dockerfile when the caller has already parsed it; read from the context otherwise. */
  readonly dockerfile?: Dockerfile;
  /** Aborting stops the build: the running step is killed and the context restored, then it rejects. */
  readonly signal?: AbortSignal;
  /** Run the steps with this Node and npm instead of the host's (see toolchain.ts). */
  readonly toolchain?: Toolchain;
}

export interface NativeBuildResult {
  /** The final stage's ENV: the environment of the shipped image. */
  readonly env: Readonly<Record<string, string>>;
  /** What of-watchdog starts: the final stage's `fprocess` (or `function_process`). */
  readonly fprocess: string;
}

/** The stage whose RUN steps are run natively. */
export const BUILD_STAGE = "build";

/**
 * Builds a faas-cli build context natively, from its own Dockerfile, so the steps cannot drift from what
 * `docker build` does: applies `.dockerignore`, runs the `build` stage's RUN steps in the context folder
 * (which stands for /home/app), then checks that everything the final stage copies from the build stage
 * exists, which makes the folder what the image ships. The final stage's own RUN steps (packages, users,
 * permissions) set up the image and are not run.
 */
export async function runNativeBuild(ctxDir: string, options: NativeBuildOptions = {}): Promise<NativeBuildResult> {
  const output = { stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr };
  const dockerfile = options.dockerfile ?? (await readDockerfile(ctxDir));
  const build = findStage(dockerfile, BUILD_STAGE);
  if (build === undefined) {
    throw new BuildContextError(
      `${ctxDir}/Dockerfile has no stage named "${BUILD_STAGE}" (FROM ... AS ${BUILD_STAGE})`,
    );
  }
  const final = finalStage(dockerfile);
  const env = stageEnv(final);
  const fprocess = env.fprocess ?? env.function_process;
  if (!fprocess) throw new BuildContextError(`${ctxDir}/Dockerfile: the final stage sets no ENV fprocess`);

  const removed = await applyDockerignore(ctxDir);
  if (removed.length > 0) output.stdout.write(`.dockerignore: not part of the context: ${removed.join(", ")}\n`);
  const hostEnv = options.hostEnv ?? process.env;
  const stepEnv = options.toolchain ? toolchainEnv(options.toolchain, hostEnv.PATH) : undefined;
  await runBuildStage(ctxDir, build, { hostEnv, output, signal: options.signal, stepEnv });
  if (final !== build) await checkFinalStage(ctxDir, dockerfile, final, build, output.stdout);
  return { env, fprocess };
}

export async function readDockerfile(ctxDir: string): Promise<Dockerfile> {
  const file = path.join(ctxDir, "Dockerfile");
  const text = await readFile(file, "utf8").catch((error: Error) => {
    throw new BuildContextError(`cannot read ${file}: ${error.message}`);
  });
  return parseDockerfile(text, file);
}

/**
 * Walks the final stage: every `COPY --from=<build>` source must exist in the context after the build and
 * land where it is; a COPY from the context must be in place too; COPYs from other stages (the watchdog
 * binary) are not needed natively. The stage must end in /home/app, where the function is started.
 */
async function checkFinalStage(
  ctxDir: string,
  dockerfile: Dockerfile,
  stage: Stage,
  build: Stage,
  out: Writable,
): Promise<void> {
  let workdir = "/";
  const total = stage.instructions.length + 1;
  for (const [index, instruction] of stage.instructions.entries()) {
    let note = "image setup: not needed natively";
    if (instruction.kind === "WORKDIR") {
      workdir = path.posix.resolve(workdir, instruction.path);
      note = "where the function runs";
    } else if (instruction.kind === "ENV") {
      note = "the function's environment";
    } else if (instruction.kind === "COPY") {
      const from = instruction.flags.from;
      if (from === undefined) {
        await checkContextCopy(ctxDir, instruction, workdir);
        note = "checked: in place in the context";
      } else if (findStage(dockerfile, from) === build) {
        await checkBuildOutputCopy(ctxDir, instruction, workdir);
        note = "checked: built and in place";
      } else {
        note = `from stage ${from}: not needed natively`;
      }
    }
    out.write(`[${stage.name ?? "final"} ${index + 2}/${total}] ${instruction.text}  (${note})\n`);
  }
  if (workdir !== APP_HOME) {
    throw new BuildContextError(
      `the final stage's WORKDIR is ${workdir}, not ${APP_HOME}: natively the function runs in the context folder, which stands for ${APP_HOME}`,
    );
  }
}
