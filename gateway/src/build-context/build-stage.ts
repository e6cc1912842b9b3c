import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Env } from "../stack/envsubst.js";
import { checkContextCopy, contextPathOf } from "./copy-check.js";
import { performCopy, resolveCopySources } from "./copy-into.js";
import type { CommandForm, Instruction, Stage } from "./dockerfile.js";
import { BuildContextError } from "./errors.js";
import { runStep, type StepOutput } from "./run-step.js";
import { stashUncopied } from "./stash.js";

type Action =
  | { readonly do: "run"; readonly command: CommandForm; readonly cwd: string; readonly env: NodeJS.ProcessEnv }
  | { readonly do: "mkdir"; readonly dir: string }
  | { readonly do: "copy"; readonly copy: CopyInstruction; readonly from: string; readonly workdir: string }
  | { readonly do: "nothing"; readonly why: string };

type Step = Action & { readonly label: string; readonly instruction: Instruction };
type CopyInstruction = Extract<Instruction, { kind: "COPY" }>;
type RunInstruction = Extract<Instruction, { kind: "RUN" }>;

export interface BuildStageOptions {
  /** The environment RUN steps start from, before what `stepHostEnv` leaves out. */
  readonly hostEnv: Env;
  readonly output: StepOutput;
  /** Aborting kills the running step; the context is restored before the rejection reaches the caller. */
  readonly signal?: AbortSignal;
  /** Variables laid over the host's after the filtering (a toolchain's PATH and nodedir). */
  readonly stepEnv?: Readonly<Record<string, string>>;
  /**
   * The build context to COPY from, when it is not the stage folder itself. Then the stage folder starts empty
   * and each COPY is performed in its turn, as Docker does, so a Dockerfile may lay files out differently from
   * the context (a faas-cli context is built in place and leaves this unset).
   */
  readonly copyFrom?: string;
  /**
   * Says why a RUN step is not run natively (the caller has checked what it provides, e.g. system packages the
   * host already has), or undefined to run it.
   */
  readonly skipRun?: (instruction: RunInstruction) => string | undefined;
}

/**
 * Runs the build stage of the Dockerfile natively in the context folder, which stands for /home/app:
 * RUN steps in order, each with `/bin/sh -c` in the folder its WORKDIR maps to, with the stage's ARG defaults
 * and ENV. The whole stage is checked before the first step runs (WORKDIRs inside /home/app, COPY sources
 * present and already in place), so a Dockerfile the native build cannot follow fails before a long install.
 * With `copyFrom`, `ctxDir` is instead an empty folder standing for /home/app, and the COPYs fill it from there.
 */
export async function runBuildStage(ctxDir: string, stage: Stage, options: BuildStageOptions): Promise<void> {
  const { output, signal, copyFrom } = options;
  const { steps, copied } = await planBuildStage(
    ctxDir,
    stage,
    { ...stepHostEnv(options.hostEnv), ...options.stepEnv },
    options,
  );
  // With a separate context, the stage folder holds only what the COPYs bring: nothing to move aside.
  const restore = copyFrom === undefined ? await stashUncopied(ctxDir, copied) : async () => {};
  try {
    for (const step of steps) {
      output.stdout.write(`${step.label}${step.do === "nothing" ? `  (${step.why})` : ""}\n`);
      if (step.do === "mkdir") await mkdir(step.dir, { recursive: true });
      if (step.do === "copy") await performCopy(step.copy, { kind: "context", dir: step.from }, ctxDir, step.workdir);
      if (step.do !== "run") continue;
      const result = await runStep(step.command, {
        cwd: step.cwd,
        env: step.env,
        output,
        signal,
      });
      if (result.code !== 0) {
        const how = result.signal === null ? `exited with code ${result.code}` : `was killed by ${result.signal}`;
        throw new BuildContextError(
          `build step failed: "${step.instruction.text}" (Dockerfile line ${step.instruction.line}) ${how}`,
        );
      }
    }
  } finally {
    await restore();
  }
}

async function planBuildStage(
  ctxDir: string,
  stage: Stage,
  hostEnv: NodeJS.ProcessEnv,
  { copyFrom, skipRun }: Pick<BuildStageOptions, "copyFrom" | "skipRun">,
): Promise<{ steps: Step[]; copied: string[] }> {
  const steps: Step[] = [];
  const copied: string[] = [];
  const stageEnv: Record<string, string> = {};
  // Docker's default WORKDIR when the base image sets none (the node images set none).
  let workdir = "/";
  const total = stage.instructions.length + 1; // FROM is step 1, as BuildKit counts

  for (const [index, instruction] of stage.instructions.entries()) {
    const label = `[${stage.name} ${index + 2}/${total}] ${instruction.text}`;
    const step = (action: Action) => steps.push({ ...action, label, instruction });
    switch (instruction.kind) {
      case "ARG":
        // ARG values are environment variables for the RUN steps that follow; only defaults exist natively.
        for (const { name, value } of instruction.args) if (value !== undefined) stageEnv[name] = value;
        step({ do: "nothing", why: "sets the environment of later steps" });
        break;
      case "ENV":
        for (const { name, value } of instruction.vars) stageEnv[name] = value;
        step({ do: "nothing", why: "sets the environment of later steps" });
        break;
      case "WORKDIR":
        workdir = path.posix.resolve(workdir, instruction.path);
        // Docker creates the WORKDIR folder when it does not exist yet.
        step({ do: "mkdir", dir: path.join(ctxDir, contextPathOf(workdir, instruction.text)) });
        break;
      case "COPY":
        if (instruction.flags.from !== undefined) {
          throw new BuildContextError(`${instruction.text}: COPY --from in the build stage is not supported natively`);
        }
        if (copyFrom !== undefined) {
          // Checked now, copied in its turn: a missing source fails before the long steps before it.
          copied.push(...(await resolveCopySources(instruction, { kind: "context", dir: copyFrom })));
          step({ do: "copy", copy: instruction, from: copyFrom, workdir });
          break;
        }
        copied.push(...(await checkContextCopy(ctxDir, instruction, workdir)));
        step({ do: "nothing", why: "already in place in the context" });
        break;
      case "RUN": {
        if (Object.keys(instruction.flags).length > 0) {
          throw new BuildContextError(
            `${instruction.text}: RUN flags (--mount, --network, ...) are not supported natively`,
          );
        }
        const skipped = skipRun?.(instruction);
        if (skipped !== undefined) {
          step({ do: "nothing", why: skipped });
          break;
        }
        const cwd = path.join(ctxDir, contextPathOf(workdir, `${instruction.text} (WORKDIR ${workdir})`));
        step({ do: "run", command: instruction.command, cwd, env: { ...hostEnv, ...stageEnv } });
        break;
      }
      default:
        step({ do: "nothing", why: "image metadata: nothing to build" });
    }
  }
  return { steps, copied };
}

/**
 * The host environment a RUN step inherits. A Docker RUN sees only the image's environment; natively the
 * steps need the host's PATH, HOME and proxies, but not what describes this very process:
 * - `npm_*` and `INIT_CWD`: `npm run build:context` exports its own config and lifecycle, which the nested
 *   npm of a step would read as its configuration (npm_config_local_prefix, npm_config_prefix, ...);
 * - `NODE_ENV`: the node images set none, and a host `NODE_ENV=production` would make `npm install` skip
 *   devDependencies (the compiler), a failure that would only happen natively.
 */
function stepHostEnv(hostEnv: Env): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(hostEnv).filter(([name]) => !name.startsWith("npm_") && name !== "INIT_CWD" && name !== "NODE_ENV"),
  );
}
