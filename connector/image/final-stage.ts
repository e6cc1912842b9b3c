import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { contextPathOf } from "../../gateway/src/build-context/copy-check.js";
import { type CopyOrigin, performCopy } from "../../gateway/src/build-context/copy-into.js";
import {
  type CommandForm,
  type Dockerfile,
  findStage,
  type Stage,
  stageEnv,
} from "../../gateway/src/build-context/dockerfile.js";
import { BuildContextError } from "../../gateway/src/build-context/errors.js";

/** What the final stage ships, laid out in a folder that stands for its /home/app. */
export interface ShippedImage {
  /** Holds exactly what the final stage's COPYs put under /home/app: no source, no dev dependency. */
  readonly dir: string;
  /** The final WORKDIR inside `dir`: where the image's commands start. */
  readonly cwd: string;
  /** The final stage's ENV: the environment of the running container. */
  readonly env: Readonly<Record<string, string>>;
  /** The last USER, as written; undefined when the image runs as root by default. */
  readonly user: string | undefined;
  /** The CMD as an argument list (a shell-form CMD is `/bin/sh -c <command>`, as Docker runs it). */
  readonly cmd: readonly string[];
  readonly exposed: readonly string[];
  readonly healthcheck: CommandForm | "NONE" | undefined;
  /** The stage's base image as written, e.g. `node:20-alpine`. */
  readonly baseImage: string;
}

export interface FinalStageOptions {
  /** The build context, for a COPY without --from. */
  readonly contextDir: string;
  /** The stages built natively, each with the folder standing for its /home/app. */
  readonly builtStages: ReadonlyMap<Stage, string>;
  /** An empty folder that becomes the shipped /home/app. */
  readonly shipDir: string;
  readonly out: Writable;
}

/**
 * Lays out the last stage of `dockerfile` the way `docker build` fills the image: every COPY performed in order
 * (from the context or from a natively built stage), so what the image leaves out is missing here too. Its RUN
 * steps set up the operating system (users, folders, packages) and are not run; the commands' environment,
 * user, CMD, EXPOSE and HEALTHCHECK are read for the caller to check and start.
 */
export async function assembleFinalStage(dockerfile: Dockerfile, options: FinalStageOptions): Promise<ShippedImage> {
  const stage = dockerfile.stages[dockerfile.stages.length - 1] as Stage;
  const { shipDir, out } = options;
  let workdir = "/";
  let user: string | undefined;
  let cmd: readonly string[] = [];
  let healthcheck: CommandForm | "NONE" | undefined;
  const exposed: string[] = [];
  const total = stage.instructions.length + 1;

  for (const [index, instruction] of stage.instructions.entries()) {
    let note = "image metadata";
    switch (instruction.kind) {
      case "WORKDIR":
        workdir = path.posix.resolve(workdir, instruction.path);
        await mkdir(path.join(shipDir, contextPathOf(workdir, instruction.text)), { recursive: true });
        note = "where the commands start";
        break;
      case "COPY": {
        const origin = copyOrigin(dockerfile, instruction.flags.from, options, instruction.text);
        await performCopy(instruction, origin, shipDir, workdir);
        note = origin.kind === "context" ? "copied from the context" : "copied from the natively built stage";
        break;
      }
      case "RUN":
        note = "operating-system setup (users, folders): not run natively";
        break;
      case "USER":
        user = instruction.user;
        break;
      case "CMD":
        cmd =
          instruction.command.form === "exec"
            ? instruction.command.args
            : ["/bin/sh", "-c", instruction.command.command];
        break;
      case "EXPOSE":
        exposed.push(...instruction.ports);
        break;
      case "HEALTHCHECK":
        healthcheck = instruction.command;
        break;
      case "ENV":
        note = "the commands' environment";
        break;
      default:
        break;
    }
    out.write(`[${stage.name ?? "final"} ${index + 2}/${total}] ${instruction.text}  (${note})\n`);
  }
  if (cmd.length === 0) throw new BuildContextError(`the final stage (line ${stage.line}) has no CMD`);
  return {
    dir: shipDir,
    cwd: path.join(shipDir, contextPathOf(workdir, `the final stage's WORKDIR ${workdir}`)),
    env: stageEnv(stage),
    user,
    cmd,
    exposed,
    healthcheck,
    baseImage: stage.image,
  };
}

function copyOrigin(
  dockerfile: Dockerfile,
  from: string | undefined,
  options: FinalStageOptions,
  text: string,
): CopyOrigin {
  if (from === undefined) return { kind: "context", dir: options.contextDir };
  const source = findStage(dockerfile, from);
  const dir = source === undefined ? undefined : options.builtStages.get(source);
  if (dir === undefined) {
    throw new BuildContextError(`${text}: only a stage built natively can be copied from, and "${from}" is not one`);
  }
  return { kind: "stage", dir };
}
