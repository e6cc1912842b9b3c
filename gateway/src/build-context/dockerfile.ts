import { type Instruction, type Located, parseInstruction } from "./dockerfile-instructions.js";
import { BuildContextError } from "./errors.js";

export type { CommandForm, Flags, Instruction, Located } from "./dockerfile-instructions.js";

/** One `FROM` and the instructions after it, in order. */
export interface Stage extends Located {
  /** The `AS` name, lower-cased as Docker compares stage names; undefined for an unnamed stage. */
  readonly name?: string;
  /** The base image or earlier stage, as written (`${...}` in it is left for Docker to expand). */
  readonly image: string;
  readonly platform?: string;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM (usable in FROM lines only). */
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly Stage[];
}

/**
 * Parses the Dockerfile syntax our templates use: `#` comment lines (also inside a continuation), `\` line
 * continuations, FROM (stages) and the instructions of `parseInstruction`. Anything else is refused with its
 * line, so a Dockerfile the native build cannot follow fails loudly instead of being half understood.
 */
export function parseDockerfile(text: string, source = "Dockerfile"): Dockerfile {
  const globalArgs: Instruction[] = [];
  const stages: {
    name?: string;
    image: string;
    platform?: string;
    line: number;
    text: string;
    instructions: Instruction[];
  }[] = [];

  for (const { line, keyword, args } of logicalLines(text, source)) {
    // The text is for messages: one line, runs of whitespace (from continuations) collapsed.
    const where = { line, text: `${keyword} ${args}`.replace(/\s+/g, " ").trim() };
    try {
      if (keyword === "FROM") {
        stages.push({ ...where, ...parseFrom(args), instructions: [] });
        continue;
      }
      const instruction = parseInstruction(keyword, args, where);
      const stage = stages[stages.length - 1];
      if (stage) stage.instructions.push(instruction);
      else if (instruction.kind === "ARG") globalArgs.push(instruction);
      else throw new BuildContextError(`${keyword} before the first FROM (only ARG may come first)`);
    } catch (error) {
      throw new BuildContextError(`${source}:${line}: ${where.text}: ${(error as Error).message}`);
    }
  }
  if (stages.length === 0) throw new BuildContextError(`${source}: no FROM instruction`);
  return { globalArgs, stages };
}

/** The stage `COPY --from=<ref>` names: by name (case-insensitive, as Docker compares them) or by index. */
export function findStage(dockerfile: Dockerfile, ref: string): Stage | undefined {
  if (/^\d+$/.test(ref)) return dockerfile.stages[Number(ref)];
  return dockerfile.stages.find((stage) => stage.name === ref.toLowerCase());
}

/** The last stage: the image `docker build` produces and faas-cli ships. */
export function finalStage(dockerfile: Dockerfile): Stage {
  return dockerfile.stages[dockerfile.stages.length - 1] as Stage; // parseDockerfile guarantees one stage
}

/** The environment a stage's `ENV` instructions set, in order (later values win); the final stage's is the image's. */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of stage.instructions) {
    if (instruction.kind === "ENV") for (const { name, value } of instruction.vars) env[name] = value;
  }
  return env;
}

function parseFrom(args: string): { name?: string; image: string; platform?: string } {
  const words = args.trim().split(/\s+/);
  let platform: string | undefined;
  while (words[0]?.startsWith("--")) {
    const flag = /^--platform=(.+)$/.exec(words.shift() as string);
    if (!flag) throw new BuildContextError("FROM supports only the --platform flag");
    platform = flag[1];
  }
  const [image, as, name, ...extra] = words;
  if (!image) throw new BuildContextError("FROM needs an image");
  if (as === undefined) return { image, ...(platform ? { platform } : {}) };
  if (as.toUpperCase() !== "AS" || !name || extra.length > 0)
    throw new BuildContextError("expected FROM image [AS name]");
  return { image, name: name.toLowerCase(), ...(platform ? { platform } : {}) };
}

/** Joins continuation lines and drops comments and blank lines, keeping each instruction's first line number. */
function* logicalLines(text: string, source: string): Generator<{ line: number; keyword: string; args: string }> {
  const lines = text.split(/\r?\n/);
  const isSkipped = (line: string) => /^\s*(#.*)?$/.test(line);
  // Parser directives (`# name=value`) can only open the file; `escape` would change what `\` means.
  for (const line of lines) {
    const directive = /^#\s*([a-z]+)\s*=\s*(.*?)\s*$/i.exec(line);
    if (directive === null) break;
    if (directive[1]?.toLowerCase() === "escape" && directive[2] !== "\\") {
      throw new BuildContextError(
        `${source}: the escape directive "${directive[2]}" is not supported; keep the default \\`,
      );
    }
  }

  for (let index = 0; index < lines.length; index += 1) {
    if (isSkipped(lines[index] as string)) continue;
    const first = index + 1;
    let joined = "";
    let current = lines[index] as string;
    for (;;) {
      const continuation = /\\[ \t]*$/.exec(current);
      if (!continuation) {
        joined += current;
        break;
      }
      joined += current.slice(0, continuation.index);
      // Docker drops comment lines (and blank lines) inside a continued instruction.
      do index += 1;
      while (index < lines.length && isSkipped(lines[index] as string));
      if (index >= lines.length) break;
      current = lines[index] as string;
    }
    const match = /^\s*(\S+)\s*(.*)$/s.exec(joined) as RegExpExecArray;
    yield { line: first, keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim() };
  }
}
