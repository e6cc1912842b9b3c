#!/usr/bin/env node
import { access } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import type { Env } from "../stack/envsubst.js";
import { loadStack } from "../stack/stack.js";
import { StackError } from "../stack/stack-error.js";
import { type CliRequest, parseCliArgs, USAGE } from "./cli-args.js";
import { type Dockerfile, finalStage, stageEnv } from "./dockerfile.js";
import { BuildContextError, UsageError } from "./errors.js";
import { readDockerfile, runNativeBuild } from "./native-build.js";
import { createBuildContext } from "./shrinkwrap.js";
import { type LanguageTemplate, loadLanguageTemplate } from "./template.js";
import { resolveToolchain } from "./toolchain.js";

export interface CliIo {
  /** Where faas-cli would run: `template/`, the stack file and relative paths are looked up from here. */
  readonly cwd: string;
  readonly env: Env;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Set on Ctrl-C: the running step is stopped and the context put back in order before exiting. */
  readonly signal?: AbortSignal;
}

/** `npm run build:context`: returns the exit code (0 built, 1 build failed, 2 bad arguments, 130 interrupted). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const request = parseCliArgs(argv);
    if (request.kind === "help") {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    await buildContext(request, io);
    return 0;
  } catch (error) {
    if (io.signal?.aborted) {
      io.stderr.write("error: interrupted\n");
      return 130;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof BuildContextError || error instanceof StackError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function buildContext(request: Exclude<CliRequest, { kind: "help" }>, io: CliIo): Promise<void> {
  const fn = request.kind === "handler" ? { ...request, copy: [] } : await stackFunction(request, io);
  const templateDir = path.resolve(io.cwd, "template", fn.lang);
  const template = await loadLanguageTemplate(templateDir);
  const outDir = path.resolve(io.cwd, request.out ?? path.join("build", fn.name));
  const shown = displayPath(io.cwd, outDir);
  const toolchain = request.toolchain ? await resolveToolchain(path.resolve(io.cwd, request.toolchain)) : undefined;

  await createBuildContext({
    projectDir: io.cwd,
    templateDir,
    handlerDir: path.resolve(io.cwd, fn.handler),
    copy: fn.copy,
    outDir,
    handlerFolder: template.handlerFolder,
  });
  io.stdout.write(`${fn.name} shrink-wrapped to ${shown}\n`);

  const dockerfile = await readDockerfile(outDir);
  checkFprocess(template, dockerfile, templateDir);
  const { stdout, stderr, signal } = io;
  const { env } = await runNativeBuild(outDir, { hostEnv: io.env, stdout, stderr, signal, dockerfile, toolchain });

  const port = upstreamPort(env.upstream_url);
  const assignments = Object.entries({ ...env, http_port: port }).map(
    ([name, value]) => `${name}=${shellQuote(value)}`,
  );
  io.stdout.write(`${fn.name} built natively in ${shown}; start it with:\n`);
  io.stdout.write(`  cd ${shellQuote(shown)} && ${assignments.join(" ")} ${template.fprocess}\n`);
}

async function stackFunction(request: Extract<CliRequest, { kind: "stack" }>, io: CliIo) {
  const stackFile = path.resolve(io.cwd, request.stackFile ?? (await defaultStackFile(io.cwd)));
  const stack = await loadStack(stackFile, io.env);
  const fn = stack.functions.find((candidate) => candidate.name === request.function);
  if (fn === undefined) {
    const names = stack.functions.map((candidate) => candidate.name).join(", ");
    throw new UsageError(`no function "${request.function}" in ${stackFile} (it has: ${names})`);
  }
  return { ...fn, copy: stack.copy };
}

/** faas-cli's default stack file is stack.yaml, falling back to stack.yml. */
async function defaultStackFile(cwd: string): Promise<string> {
  return access(path.join(cwd, "stack.yaml")).then(
    () => "stack.yaml",
    () => "stack.yml",
  );
}

/**
 * `faas-cli deploy` sends template.yml's `fprocess` to the cluster, where it overrides the image's
 * `ENV fprocess`: if the two differ, the image works under `docker run` and breaks once deployed.
 */
function checkFprocess(template: LanguageTemplate, dockerfile: Dockerfile, templateDir: string): void {
  const imageFprocess = stageEnv(finalStage(dockerfile)).fprocess;
  if (template.fprocess !== imageFprocess) {
    throw new BuildContextError(
      `${templateDir}: template.yml has fprocess "${template.fprocess}" but the Dockerfile's ENV fprocess is ` +
        `"${imageFprocess ?? "(unset)"}"; faas-cli deploy uses template.yml's, so make them equal`,
    );
  }
}

/** The port of-watchdog forwards to (`upstream_url`), which is the one the function must listen on. */
function upstreamPort(upstreamUrl: string | undefined): string {
  try {
    return new URL(upstreamUrl ?? "").port || "3000";
  } catch {
    return "3000";
  }
}

function displayPath(cwd: string, target: string): string {
  const relative = path.relative(cwd, target);
  return relative.startsWith("..") || path.isAbsolute(relative) ? target : `./${relative}`;
}

function shellQuote(value: string): string {
  return /^[\w./:=@%+,-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Without handlers, Ctrl-C would end the process mid-step and leave the context half stashed.
  const interrupt = new AbortController();
  for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => interrupt.abort());
  const { stdout, stderr } = process;
  process.exitCode = await main(process.argv.slice(2), {
    cwd: process.cwd(),
    env: process.env,
    stdout,
    stderr,
    signal: interrupt.signal,
  });
}
