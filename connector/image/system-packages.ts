import { access, constants } from "node:fs/promises";
import path from "node:path";
import type { Instruction, Stage } from "../../gateway/src/build-context/dockerfile.js";
import { BuildContextError } from "../../gateway/src/build-context/errors.js";

type Run = Extract<Instruction, { kind: "RUN" }>;

/**
 * The command on PATH that shows the host provides what an alpine package gives the image. Natively there is
 * no `apk`: the host's compiler builds better-sqlite3, so the proof checks it is there instead of installing it.
 */
const COMMAND_OF_PACKAGE: Readonly<Record<string, string>> = {
  python3: "python3",
  make: "make",
  "g++": "g++",
};

/** A `RUN apk add [--flags] package...` step (the whole step, nothing chained) and the packages it adds. */
export interface SystemPackageStep {
  readonly instruction: Run;
  readonly packages: readonly string[];
}

/** The stage's RUN steps that only install alpine packages. */
export function systemPackageSteps(stage: Stage): SystemPackageStep[] {
  const steps: SystemPackageStep[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.kind !== "RUN" || instruction.command.form !== "shell") continue;
    const words = instruction.command.command.trim().split(/\s+/);
    if (words[0] !== "apk" || words[1] !== "add") continue;
    if (words.some((word) => /[;&|<>$`]/.test(word))) {
      throw new BuildContextError(
        `${instruction.text} (Dockerfile line ${instruction.line}): keep "apk add" a step of its own, so the native ` +
          "proof can check the host provides the packages instead of running it",
      );
    }
    steps.push({ instruction, packages: words.slice(2).filter((word) => !word.startsWith("-")) });
  }
  return steps;
}

/** Throws unless every package's command is on `searchPath`; returns the note the build prints for the step. */
export async function checkHostProvides(step: SystemPackageStep, searchPath: string): Promise<string> {
  for (const name of step.packages) {
    const command = COMMAND_OF_PACKAGE[name];
    if (command === undefined) {
      throw new BuildContextError(
        `${step.instruction.text}: the native proof does not know which host command stands for the alpine package "${name}" (see connector/image/system-packages.ts)`,
      );
    }
    if (!(await onPath(command, searchPath))) {
      throw new BuildContextError(
        `${step.instruction.text}: the host has no ${command} on PATH, which the build needs`,
      );
    }
  }
  return `system packages: the host's ${step.packages.join(", ")} found on PATH`;
}

async function onPath(command: string, searchPath: string): Promise<boolean> {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const found = await access(path.join(dir, command), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (found) return true;
  }
  return false;
}
